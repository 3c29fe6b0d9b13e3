namespace CellSeg.Data.Download;

/// <summary>One file to fetch.</summary>
/// <param name="Source">http, https or file URL.</param>
/// <param name="Destination">Local path of the complete file.</param>
/// <param name="ExpectedSize">Size in bytes when known.</param>
/// <param name="ExpectedSha256">Lowercase hex SHA-256 when known.</param>
public sealed record DownloadRequest(Uri Source, string Destination, long? ExpectedSize = null, string? ExpectedSha256 = null);

/// <summary>A complete, verified file.</summary>
/// <param name="Path">Its local path.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Sha256">Its lowercase hex SHA-256.</param>
/// <param name="Fetched">False when it was already complete and nothing was transferred.</param>
public sealed record DownloadedFile(string Path, long Size, string Sha256, bool Fetched);

/// <summary>Progress of one file: bytes held so far and the total when known.</summary>
/// <param name="Name">File name.</param>
/// <param name="Bytes">Bytes received (including those resumed from an earlier attempt).</param>
/// <param name="Total">Total bytes, when known.</param>
public readonly record struct DownloadProgress(string Name, long Bytes, long? Total);
