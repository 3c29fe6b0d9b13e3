using System.Security.Cryptography;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Artifacts;

/// <summary>
/// Artifacts on a local (or shared) folder: <c>ROOT/sha256/ab/abcdef….ext</c>. A file is written to a
/// temporary name in <c>ROOT/tmp</c> (same file system), flushed to disk and renamed into place, so a reader never
/// sees a partial artifact and two workers (processes or machines sharing the folder) storing the same content at
/// once both succeed: the name is the content's hash, so a rename over an existing file replaces identical bytes.
/// </summary>
public sealed class LocalArtifactStore : IArtifactStore
{
    /// <summary>Creates a store rooted at <paramref name="root"/> (created if missing).</summary>
    public LocalArtifactStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(Root, "sha256"));
        Directory.CreateDirectory(Path.Combine(Root, "tmp"));
    }

    /// <summary>The store's folder.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public async Task<ArtifactRef> PutFileAsync(string path, string? name = null, CancellationToken cancellationToken = default)
    {
        await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await PutStreamAsync(source, name ?? Path.GetFileName(path), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ArtifactRef> PutBytesAsync(ReadOnlyMemory<byte> content, string name, CancellationToken cancellationToken = default)
    {
        using var source = new MemoryStream(content.ToArray(), writable: false);
        return await PutStreamAsync(source, name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public string GetPath(ArtifactRef artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var path = PathOf(artifact.Hash, artifact.Name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"the artifact store at {Root} holds no artifact {artifact.Hash} ({artifact.Name})", path);
    }

    /// <inheritdoc />
    public bool Contains(string hash) =>
        IsHash(hash) && Directory.Exists(Path.Combine(Root, "sha256", hash[..2])) &&
        Directory.EnumerateFiles(Path.Combine(Root, "sha256", hash[..2]), hash + "*").Any();

    /// <summary>True for 64 lowercase hex digits (the only names this store resolves, so no path can escape it).</summary>
    public static bool IsHash(string? text) => text is { Length: 64 } && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private async Task<ArtifactRef> PutStreamAsync(Stream source, string name, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(Root, "tmp", Guid.NewGuid().ToString("N"));
        string hash;
        long size;
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    sha.AppendData(buffer, 0, n);
                    await target.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }

                size = target.Length;

                // On disk before the rename: after a power loss the name must not point at a file with missing bytes.
                target.Flush(flushToDisk: true);
            }

            hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            var final = PathOf(hash, name);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            if (File.Exists(final))
            {
                File.Delete(temp);
            }
            else
            {
                File.Move(temp, final, overwrite: true);
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        return new ArtifactRef(hash, SafeName(name), size);
    }

    private string PathOf(string hash, string name)
    {
        if (!IsHash(hash))
        {
            throw new ArgumentException($"'{hash}' is not a SHA-256 artifact hash", nameof(hash));
        }

        return Path.Combine(Root, "sha256", hash[..2], hash + Path.GetExtension(SafeName(name)));
    }

    /// <summary>Only the file name part, with characters that could mean a path removed.</summary>
    private static string SafeName(string name)
    {
        var file = Path.GetFileName(name.Replace('\\', '/'));
        var cleaned = new string(file.Where(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_').ToArray()).TrimStart('.');
        return cleaned.Length == 0 ? "artifact" : cleaned;
    }
}
