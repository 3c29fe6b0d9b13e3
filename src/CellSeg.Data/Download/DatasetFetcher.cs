using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Data.IO;

namespace CellSeg.Data.Download;

/// <summary>What to fetch: the files a selection names from a manifest, into a destination folder.</summary>
/// <param name="Manifest">The manifest (with its base URL already overridden, if wanted).</param>
/// <param name="Selection">File ids or groups, see <see cref="DownloadManifest.Select"/>.</param>
/// <param name="Destination">Folder that receives every file at its manifest path (the bucket's layout).</param>
/// <param name="Extract">Whether archives are extracted (safely) after they are fetched.</param>
public sealed record FetchRequest(DownloadManifest Manifest, IReadOnlyList<string> Selection, string Destination, bool Extract = true);

/// <summary>One fetched file.</summary>
/// <param name="Entry">Its manifest entry.</param>
/// <param name="File">The verified local file.</param>
/// <param name="ExtractedFolder">For an extracted archive, the folder it was extracted into; else null.</param>
public sealed record FetchedFile(ManifestFile Entry, DownloadedFile File, string? ExtractedFolder);

/// <summary>The outcome of <see cref="DatasetFetcher.FetchAsync"/>.</summary>
/// <param name="Destination">The destination folder (full path).</param>
/// <param name="Files">Every selected file, in manifest order.</param>
public sealed record FetchResult(string Destination, IReadOnlyList<FetchedFile> Files);

/// <summary>Progress of a whole fetch: a fraction in [0, 1] when it can be told, and what is happening.</summary>
public readonly record struct FetchProgress(double? Fraction, string Message);

/// <summary>
/// Fetches a selection of a <see cref="DownloadManifest"/> with a <see cref="FileDownloader"/> and
/// extracts its archives with a <see cref="SafeArchiveExtractor"/>. Files go to
/// <c>&lt;destination&gt;/&lt;path&gt;</c>; an archive is extracted into
/// <c>&lt;destination&gt;/&lt;extractTo&gt;</c>. Whatever is already complete is neither fetched nor
/// extracted again. The hashes of every fetched file are also listed in
/// <c>&lt;destination&gt;/.download-hashes.json</c> (manifest-shaped, so they can be copied into a
/// manifest); the sidecars beside the files remain the record that is checked.
/// </summary>
public sealed class DatasetFetcher(FileDownloader downloader, SafeArchiveExtractor extractor)
{
    /// <summary>The summary of recorded sizes and hashes in a destination folder.</summary>
    public const string HashesFileName = ".download-hashes.json";

    /// <summary>Fetches (and extracts) the selected files.</summary>
    /// <exception cref="DataFormatException">The selection names nothing in the manifest.</exception>
    /// <exception cref="DownloadException">A file cannot be fetched or verified, or an archive cannot be extracted safely.</exception>
    public async Task<FetchResult> FetchAsync(FetchRequest request, IProgress<FetchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var destination = Path.GetFullPath(request.Destination);
        var files = request.Manifest.Select(request.Selection);
        Directory.CreateDirectory(destination);
        var done = new List<FetchedFile>();
        var steps = files.Count + (request.Extract ? files.Count(f => f.Kind == ManifestFileKind.Archive) : 0);
        var step = 0;
        foreach (var entry in files)
        {
            var local = Path.Combine(destination, entry.Path.Replace('/', Path.DirectorySeparatorChar));
            var source = request.Manifest.SourceOf(entry);
            var index = step;
            var fileProgress = new SyncProgress<DownloadProgress>(p => progress?.Report(new FetchProgress(
                (index + (p.Total is > 0 ? (double)p.Bytes / p.Total.Value : 0)) / steps,
                $"{entry.Id}: {Megabytes(p.Bytes)}{(p.Total is { } t ? " of " + Megabytes(t) : string.Empty)}")));
            var file = await downloader.DownloadAsync(new DownloadRequest(source, local, entry.Size, entry.Sha256), fileProgress, cancellationToken).ConfigureAwait(false);
            step++;
            string? extracted = null;
            if (request.Extract && entry.Kind == ManifestFileKind.Archive)
            {
                var extractIndex = step;
                var extractProgress = new SyncProgress<double>(f => progress?.Report(new FetchProgress((extractIndex + f) / steps, $"{entry.Id}: extracting {f:P0}")));
                var result = await extractor.ExtractAsync(
                    local,
                    Path.Combine(destination, entry.ExtractFolder.Replace('/', Path.DirectorySeparatorChar)),
                    new ExtractOptions { StripComponents = entry.StripComponents, ArchiveSha256 = file.Sha256 },
                    extractProgress,
                    cancellationToken).ConfigureAwait(false);
                extracted = result.Folder;
                step++;
            }

            done.Add(new FetchedFile(entry, file, extracted));
        }

        await RecordHashesAsync(destination, done, cancellationToken).ConfigureAwait(false);
        progress?.Report(new FetchProgress(1.0, $"{done.Count} file(s) ready in {destination}"));
        return new FetchResult(destination, done);
    }

    private static async Task RecordHashesAsync(string destination, List<FetchedFile> files, CancellationToken ct)
    {
        var path = Path.Combine(destination, HashesFileName);
        JsonObject root;
        try
        {
            root = File.Exists(path) ? JsonNode.Parse(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false)) as JsonObject ?? [] : [];
        }
        catch (JsonException)
        {
            root = []; // only a summary: a damaged one is rebuilt
        }

        foreach (var file in files)
        {
            root[file.Entry.Path] = new JsonObject { ["id"] = file.Entry.Id, ["size"] = file.File.Size, ["sha256"] = file.File.Sha256 };
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(root, new JsonSerializerOptions { WriteIndented = true });
        await AtomicFile.WriteAsync(path, (s, t) => s.WriteAsync(bytes, t).AsTask(), ct).ConfigureAwait(false);
    }

    private static string Megabytes(long bytes) => $"{bytes / 1048576.0:0.0} MB";
}
