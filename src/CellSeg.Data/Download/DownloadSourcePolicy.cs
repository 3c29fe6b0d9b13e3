using System.Net;

namespace CellSeg.Data.Download;

/// <summary>
/// Which sources a <see cref="FileDownloader"/> may read, asked before every request (each redirect included) and at
/// every connection (so a name that resolves to an internal address is caught where it is dialled, not guessed).
/// </summary>
public interface IDownloadSourcePolicy
{
    /// <summary>Why <paramref name="source"/> (http, https or file) may not be read, or null when it may.</summary>
    string? Refuse(Uri source);

    /// <summary>Why a connection for <paramref name="host"/>:<paramref name="port"/> may not go to <paramref name="address"/>, or null when it may.</summary>
    string? RefuseAddress(string host, int port, IPAddress address);
}

/// <summary>A source or connection the downloader's <see cref="IDownloadSourcePolicy"/> refused (never retried).</summary>
public sealed class DownloadRefusedException(Uri source, string reason) : Exception($"{source}: {reason}")
{
    /// <summary>What was to be read.</summary>
    public Uri RefusedSource { get; } = source;

    /// <summary>The policy's reason.</summary>
    public string Reason { get; } = reason;
}
