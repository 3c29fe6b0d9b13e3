using System.Security.Cryptography;

namespace CellSegFlows.Engine.Triggers;

/// <summary>A file that has settled, with the SHA-256 (hex) of its content.</summary>
internal sealed record ReadyFile(string Relative, string Full, string Hash);

/// <summary>
/// What one process remembers about one watch between scans: when each file's size and modification time
/// were first seen as they are now (for the settle time), the hash of each file's content at a given size and
/// time (so a settled file is hashed once, not at every scan), the files it knows have a run for their content,
/// and the failures it has already recorded. Lost on restart, which only costs one settle time and one hash
/// per file: whether a file has had its run is in the store (the cursors), not here.
/// </summary>
internal sealed class WatchMemory
{
    public string Where { get; set; } = string.Empty;

    public Dictionary<string, (long Size, DateTime Modified, DateTimeOffset Since)> Observed { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, (long Size, DateTime Modified, string Hash)> Hashed { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Done { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> ReportedFailures { get; } = new(StringComparer.Ordinal);

    public void Reset(string where)
    {
        Where = where;
        Observed.Clear();
        Hashed.Clear();
        Done.Clear();
        ReportedFailures.Clear();
    }

    /// <summary>True the first time this failure (by key and message) is seen, so each is recorded once.</summary>
    public bool FirstReport(string key, string message)
    {
        if (ReportedFailures.TryGetValue(key, out var known) && known == message)
        {
            return false;
        }

        ReportedFailures[key] = message;
        return true;
    }
}

/// <summary>
/// One scan of a watched folder: a file is ready when its size and modification time are the same as at
/// least <c>settle</c> ago (observed by this process, so a file copied with an old modification time is
/// still seen growing). A ready file is hashed; if it changed while being hashed it waits for the next scan.
/// </summary>
internal static class FileWatchScanner
{
    public static async Task<List<ReadyFile>> ScanAsync(string folder, string glob, TimeSpan settle, WatchMemory memory, DateTimeOffset now, CancellationToken ct)
    {
        var ready = new List<ReadyFile>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (relative, full) in FileGlob.Enumerate(folder, glob))
        {
            ct.ThrowIfCancellationRequested();
            present.Add(relative);
            if (Stat(full) is not { } stat)
            {
                continue;
            }

            if (!memory.Observed.TryGetValue(relative, out var seen) || seen.Size != stat.Size || seen.Modified != stat.Modified)
            {
                memory.Observed[relative] = (stat.Size, stat.Modified, now);
                if (settle > TimeSpan.Zero)
                {
                    continue;
                }
            }
            else if (now - seen.Since < settle)
            {
                continue;
            }

            if (memory.Hashed.TryGetValue(relative, out var hashed) && hashed.Size == stat.Size && hashed.Modified == stat.Modified)
            {
                ready.Add(new ReadyFile(relative, full, hashed.Hash));
                continue;
            }

            var hash = await HashAsync(full, ct).ConfigureAwait(false);
            if (hash is null || Stat(full) is not { } after || after != stat)
            {
                memory.Observed.Remove(relative); // changed (or vanished) while being read: settle again
                continue;
            }

            memory.Hashed[relative] = (stat.Size, stat.Modified, hash);
            ready.Add(new ReadyFile(relative, full, hash));
        }

        foreach (var gone in memory.Observed.Keys.Where(k => !present.Contains(k)).ToList())
        {
            memory.Observed.Remove(gone);
            memory.Hashed.Remove(gone);
        }

        return ready;
    }

    private static (long Size, DateTime Modified)? Stat(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : null;
    }

    private static async Task<string?> HashAsync(string path, CancellationToken ct)
    {
        try
        {
            // Shared read/write/delete: the watch must never stand in a writer's way.
            await using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, Options = FileOptions.Asynchronous | FileOptions.SequentialScan });
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
