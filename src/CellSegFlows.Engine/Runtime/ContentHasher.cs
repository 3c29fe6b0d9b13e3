using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// SHA-256 of host files and folders that steps read, for their cache keys. A file's hash is remembered with its size
/// and modification time (in <c>HOME/cache/content-hashes.json</c>, written through a temp file), so an unchanged 1.3 GB
/// image tree is listed, not read, on the next run; a file touched but identical is hashed again and gives the same hash.
/// A folder's hash covers its listing: every file beneath it, by relative path, with its size and hash.
/// </summary>
internal sealed class ContentHasher(string cacheFile)
{
    private const int MaxFolderFiles = 1_000_000;
    private readonly ConcurrentDictionary<string, Entry> _known = Load(cacheFile);
    private readonly object _saveLock = new();
    private volatile bool _dirty;

    private sealed record Entry(long Size, long ModifiedTicks, string Sha256);

    /// <summary>The digest of what <paramref name="path"/> holds: <c>file:SHA</c>, <c>folder:SHA (N files)</c>, or <c>missing</c>.</summary>
    public string Digest(string path, CancellationToken ct)
    {
        if (File.Exists(path))
        {
            return "file:" + HashFile(new FileInfo(path), ct);
        }

        if (!Directory.Exists(path))
        {
            return "missing";
        }

        var files = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, ReturnSpecialDirectories = false })
            .Select(f => (Relative: Path.GetRelativePath(path, f).Replace('\\', '/'), Full: f))
            .Take(MaxFolderFiles + 1)
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();
        if (files.Count > MaxFolderFiles)
        {
            throw new IOException($"{path}: more than {MaxFolderFiles:N0} files to hash for the step cache");
        }

        var listing = new StringBuilder();
        foreach (var (relative, full) in files)
        {
            ct.ThrowIfCancellationRequested();
            var info = new FileInfo(full);   // one stat a file: its size goes into the listing and validates the remembered hash
            listing.Append(relative).Append('\t').Append(info.Length).Append('\t').Append(HashFile(info, ct)).Append('\n');
        }

        return $"folder:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())))} ({files.Count} files)";
    }

    /// <summary>Writes what was learnt (after a step's key is made; a lost write only costs re-hashing).</summary>
    public void Save()
    {
        if (!_dirty)
        {
            return;
        }

        lock (_saveLock)
        {
            _dirty = false;
            Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
            var temp = cacheFile + $".{Environment.ProcessId}.tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(_known.ToDictionary(k => k.Key, k => k.Value)));
            File.Move(temp, cacheFile, overwrite: true);
        }
    }

    private string HashFile(FileInfo info, CancellationToken ct)
    {
        var full = info.FullName;
        if (_known.TryGetValue(full, out var known) && known.Size == info.Length && known.ModifiedTicks == info.LastWriteTimeUtc.Ticks)
        {
            return known.Sha256;
        }

        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            sha.AppendData(buffer, 0, n);
        }

        var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        _known[full] = new Entry(info.Length, info.LastWriteTimeUtc.Ticks, hash);
        _dirty = true;
        return hash;
    }

    private static ConcurrentDictionary<string, Entry> Load(string file)
    {
        try
        {
            return File.Exists(file)
                ? new ConcurrentDictionary<string, Entry>(JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllText(file)) ?? [], StringComparer.Ordinal)
                : new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            return new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);   // a damaged cache is only a slower run
        }
    }
}
