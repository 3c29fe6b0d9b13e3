using System.Security.Cryptography;
using System.Text;
using CellSeg.Data.IO;

namespace CellSeg.Data.Download;

/// <summary>
/// The verification record of a downloaded file: <c>&lt;file&gt;.sha256</c> beside it, in
/// <c>sha256sum</c> format, written only after the file was verified. Its presence marks the file as
/// complete, so a large file is not hashed again on every run; and when the manifest gives no hash it
/// is the hash trusted from the first download, against which later downloads are checked.
/// </summary>
public static class Sha256Sidecar
{
    /// <summary>The sidecar path of a file.</summary>
    public static string PathFor(string file) => file + ".sha256";

    /// <summary>The recorded hash, or null when there is no (readable) sidecar.</summary>
    public static string? Read(string file)
    {
        var sidecar = PathFor(file);
        if (!File.Exists(sidecar))
        {
            return null;
        }

        var text = File.ReadAllText(sidecar).Trim();
        var hash = text.Split([' ', '\t'], 2)[0].ToLowerInvariant();
        return hash.Length == 64 && hash.All(char.IsAsciiHexDigit) ? hash : null;
    }

    /// <summary>Writes the sidecar atomically.</summary>
    public static Task WriteAsync(string file, string sha256, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(
            PathFor(file),
            async (stream, ct) => await stream.WriteAsync(Encoding.UTF8.GetBytes($"{sha256}  {Path.GetFileName(file)}\n"), ct).ConfigureAwait(false),
            cancellationToken);

    /// <summary>SHA-256 of a whole file, lowercase hex.</summary>
    public static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }
}
