using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using CellSeg.Data.IO;

namespace CellSeg.Data.Download;

/// <summary>What to extract and how.</summary>
public sealed record ExtractOptions
{
    /// <summary>Leading path segments removed from every entry (entries with no more segments are skipped), like tar's <c>--strip-components</c>.</summary>
    public int StripComponents { get; init; }

    /// <summary>The archive's SHA-256 when the caller knows it (e.g. from the download); otherwise its sidecar, else it is computed.</summary>
    public string? ArchiveSha256 { get; init; }

    /// <summary>The most entries an archive may hold (default 200,000; LIVECell's images.zip holds about 5,300).</summary>
    public int MaxEntries { get; init; } = 200_000;

    /// <summary>The most bytes it may extract to, whatever the free space (default 64 GiB; LIVECell's images are about 1.5 GB).</summary>
    public long MaxBytes { get; init; } = 64L << 30;
}

/// <summary>A finished extraction.</summary>
/// <param name="Folder">The target folder.</param>
/// <param name="Files">Files written.</param>
/// <param name="Bytes">Bytes written.</param>
/// <param name="Extracted">False when the folder already held a complete extraction of the same archive.</param>
public sealed record ExtractionResult(string Folder, int Files, long Bytes, bool Extracted);

/// <summary>
/// Extracts zip, tar and tar.gz archives without trusting them. Before anything is written, every
/// entry is checked: absolute names, <c>..</c> segments, links whose target is absolute or leaves the
/// target folder (zip entries marked as Unix symlinks included), duplicates, entries under a file,
/// devices and other odd entry types are refused with a <see cref="DownloadException"/> naming the
/// archive and the entry; the entry count and the sum of the uncompressed sizes must be within the options' limits,
/// and the free space must hold that sum (an entry holding more than its header declares is refused as it is
/// written). The
/// archive is then extracted into a hidden sibling <c>.&lt;name&gt;.partial-&lt;guid&gt;</c>, a
/// completion marker (<see cref="MarkerFileName"/>, holding the archive's SHA-256) is written into it,
/// and only then is it renamed to the target. An interrupted extraction therefore never leaves a
/// target folder; a target whose marker matches the archive is left as it is. Extractions into the
/// same target take turns (a lock file <c>.&lt;name&gt;.lock</c> beside it), so runs sharing a data
/// cache do not race.
/// </summary>
public sealed class SafeArchiveExtractor
{
    /// <summary>The completion marker inside an extracted folder.</summary>
    public const string MarkerFileName = ".extracted.json";

    private const int SymlinkMode = 0xA000;
    private readonly Func<string, long> _freeSpace;

    /// <summary>Creates an extractor.</summary>
    /// <param name="freeSpaceProbe">Free bytes on the volume of a folder; default <see cref="DriveInfo.AvailableFreeSpace"/>.</param>
    public SafeArchiveExtractor(Func<string, long>? freeSpaceProbe = null)
    {
        _freeSpace = freeSpaceProbe ?? (folder => new DriveInfo(folder).AvailableFreeSpace);
    }

    /// <summary>Extracts <paramref name="archivePath"/> into <paramref name="targetFolder"/> (see the class remarks).</summary>
    /// <exception cref="DownloadException">An unsafe or odd entry, too little free space, an unreadable archive, or a target folder that is not a completed extraction.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the partial folder is removed and no target appears.</exception>
    public async Task<ExtractionResult> ExtractAsync(string archivePath, string targetFolder, ExtractOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new ExtractOptions();
        var archive = Path.GetFullPath(archivePath);
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetFolder));
        if (!File.Exists(archive))
        {
            throw new DownloadException(archive, null, "archive not found");
        }

        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        await using var folderLock = await FileLock.AcquireAsync(Path.Combine(parent, $".{Path.GetFileName(target)}.lock"), cancellationToken).ConfigureAwait(false);
        var sha = options.ArchiveSha256?.ToLowerInvariant()
            ?? Sha256Sidecar.Read(archive)
            ?? await Sha256Sidecar.HashFileAsync(archive, cancellationToken).ConfigureAwait(false);
        var replaceOld = false;
        if (Directory.Exists(target))
        {
            var marker = ReadMarker(target);
            if (marker is not null && marker.Sha256 == sha && marker.StripComponents == options.StripComponents)
            {
                return new ExtractionResult(target, marker.Files, marker.Bytes, Extracted: false);
            }

            if (marker is null && Directory.EnumerateFileSystemEntries(target).Any())
            {
                throw new DownloadException(archive, target, "the target folder exists but is not a completed extraction (no marker); remove or rename it");
            }

            replaceOld = true;
        }

        RemoveStalePartials(parent, Path.GetFileName(target));

        var format = DetectFormat(archive);
        var plan = await PlanAsync(archive, format, options.StripComponents, cancellationToken).ConfigureAwait(false);
        if (plan.Count > options.MaxEntries)
        {
            throw new DownloadException(archive, null, $"holds {plan.Count:N0} entries, more than the limit of {options.MaxEntries:N0} (ExtractOptions.MaxEntries)");
        }

        var required = plan.Where(e => e.Kind == EntryKind.File).Sum(e => e.Size);
        if (required > options.MaxBytes)
        {
            throw new DownloadException(archive, null, $"would extract to {required:N0} bytes, more than the limit of {options.MaxBytes:N0} (ExtractOptions.MaxBytes)");
        }

        var free = _freeSpace(parent);
        if (free < required)
        {
            throw new DownloadException(archive, null, $"needs {required:N0} bytes to extract into {parent}, only {free:N0} free");
        }

        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temp);
            var written = await WriteAsync(archive, format, plan, temp, required, progress, cancellationToken).ConfigureAwait(false);
            var files = plan.Count(e => e.Kind == EntryKind.File);
            var markerJson = JsonSerializer.SerializeToUtf8Bytes(new Marker(Path.GetFileName(archive), sha, options.StripComponents, files, written));
            await AtomicFile.WriteAsync(Path.Combine(temp, MarkerFileName), (s, ct) => s.WriteAsync(markerJson, ct).AsTask(), cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (replaceOld && Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(temp, target);
            progress?.Report(1.0);
            return new ExtractionResult(target, files, written, Extracted: true);
        }
        catch
        {
            TryDeleteFolder(temp);
            throw;
        }
    }

    /// <summary>A file name without its archive extension (<c>.zip</c>, <c>.tar</c>, <c>.tar.gz</c>, <c>.tgz</c>).</summary>
    public static string StripArchiveExtension(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var ext in new[] { ".tar.gz", ".tgz", ".tar", ".zip" })
        {
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase) && name.Length > ext.Length)
            {
                return name[..^ext.Length];
            }
        }

        return name;
    }

    private enum ArchiveFormat
    {
        Zip,
        Tar,
        TarGz,
    }

    private enum EntryKind
    {
        File,
        Directory,
        Symlink,
        HardLink,
        Skip,
    }

    // Through: for a symbolic link, every path its target passes on the way (to refuse link chains).
    private sealed record PlannedEntry(string RawName, EntryKind Kind, string Path, long Size, string? LinkTarget, IReadOnlyList<string>? Through = null);

    private sealed record Marker(string Archive, string Sha256, int StripComponents, int Files, long Bytes);

    private static ArchiveFormat DetectFormat(string archive)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(archive);
        var n = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && (head[2] is 3 or 5))
        {
            return ArchiveFormat.Zip;
        }

        return n >= 2 && head[0] == 0x1f && head[1] == 0x8b ? ArchiveFormat.TarGz : ArchiveFormat.Tar;
    }

    private static async Task<List<PlannedEntry>> PlanAsync(string archive, ArchiveFormat format, int strip, CancellationToken ct)
    {
        var plan = new List<PlannedEntry>();
        try
        {
            if (format == ArchiveFormat.Zip)
            {
                using var zip = ZipFile.OpenRead(archive);
                foreach (var entry in zip.Entries)
                {
                    ct.ThrowIfCancellationRequested();
                    var isDirectory = entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\');
                    var mode = (entry.ExternalAttributes >> 16) & 0xF000;
                    string? link = null;
                    var kind = isDirectory ? EntryKind.Directory : EntryKind.File;
                    if (mode == SymlinkMode)
                    {
                        using var reader = new StreamReader(entry.Open());
                        link = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
                        kind = EntryKind.Symlink;
                    }

                    Add(plan, archive, entry.FullName, kind, entry.Length, link, strip);
                }
            }
            else
            {
                await using var stream = OpenTar(archive, format);
                await using var reader = new TarReader(stream);
                while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
                {
                    var kind = TarKind(archive, entry);
                    Add(plan, archive, entry.Name, kind, kind == EntryKind.File ? entry.Length : 0, entry.LinkName, strip);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new DownloadException(archive, null, $"not a readable {format.ToString().ToLowerInvariant()} archive: {ex.Message}", ex);
        }

        CheckStructure(archive, plan);
        return plan;
    }

    private static EntryKind TarKind(string archive, TarEntry entry) => entry.EntryType switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => EntryKind.File,
        TarEntryType.Directory => EntryKind.Directory,
        TarEntryType.SymbolicLink => EntryKind.Symlink,
        TarEntryType.HardLink => EntryKind.HardLink,
        TarEntryType.GlobalExtendedAttributes => EntryKind.Skip,
        _ => throw new DownloadException(archive, $"entry '{entry.Name}'", $"entry type {entry.EntryType} is not extracted (only files, folders and links)"),
    };

    /// <summary>Normalises one entry name and checks it alone; the whole set is checked by <see cref="CheckStructure"/>.</summary>
    private static void Add(List<PlannedEntry> plan, string archive, string rawName, EntryKind kind, long size, string? link, int strip)
    {
        if (kind == EntryKind.Skip)
        {
            return;
        }

        var record = $"entry '{rawName}'";
        var segments = SplitSafe(archive, record, rawName, "name");
        if (segments.Count <= strip)
        {
            if (kind is EntryKind.Directory)
            {
                return;
            }

            throw new DownloadException(archive, record, $"has fewer than {strip + 1} path segments, so nothing is left after stripping {strip}");
        }

        segments = segments.Skip(strip).ToList();
        var path = string.Join('/', segments);
        if (segments.Count == 1 && segments[0] == MarkerFileName)
        {
            throw new DownloadException(archive, record, $"uses the reserved name {MarkerFileName}");
        }

        string? target = null;
        var through = new List<string>();
        if (kind == EntryKind.Symlink)
        {
            if (string.IsNullOrEmpty(link) || link.Contains('\0', StringComparison.Ordinal))
            {
                throw new DownloadException(archive, record, "symbolic link with an empty or odd target");
            }

            if (IsAbsolute(link))
            {
                throw new DownloadException(archive, record, $"symbolic link to the absolute path '{link}' escapes the target folder");
            }

            var resolved = segments.Take(segments.Count - 1).ToList();
            foreach (var part in link.Replace('\\', '/').Split('/'))
            {
                if (part is "" or ".")
                {
                    continue;
                }

                if (part == "..")
                {
                    if (resolved.Count == 0)
                    {
                        throw new DownloadException(archive, record, $"symbolic link to '{link}' escapes the target folder");
                    }

                    resolved.RemoveAt(resolved.Count - 1);
                }
                else
                {
                    resolved.Add(part);
                    through.Add(string.Join('/', resolved));
                }
            }

            target = string.Join('/', resolved);
        }
        else if (kind == EntryKind.HardLink)
        {
            if (string.IsNullOrEmpty(link))
            {
                throw new DownloadException(archive, record, "hard link without a target");
            }

            var linkSegments = SplitSafe(archive, record, link, "hard link target");
            if (linkSegments.Count <= strip)
            {
                throw new DownloadException(archive, record, $"hard link to '{link}' points outside the extracted tree");
            }

            target = string.Join('/', linkSegments.Skip(strip));
        }

        plan.Add(new PlannedEntry(rawName, kind, path, size, target, through));
    }

    private static List<string> SplitSafe(string archive, string record, string name, string what)
    {
        if (name.Contains('\0', StringComparison.Ordinal) || name.Any(char.IsControl))
        {
            throw new DownloadException(archive, record, $"{what} holds control characters");
        }

        if (IsAbsolute(name))
        {
            throw new DownloadException(archive, record, $"{what} is an absolute path, which would write outside the target folder");
        }

        var segments = name.Replace('\\', '/').Split('/').Where(s => s is not ("" or ".")).ToList();
        if (segments.Contains(".."))
        {
            throw new DownloadException(archive, record, $"{what} holds '..', which would write outside the target folder");
        }

        return segments;
    }

    private static bool IsAbsolute(string name) =>
        name.StartsWith('/') || name.StartsWith('\\') || (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]));

    /// <summary>Duplicates, entries under a file or link, links through links, hard links to nothing.</summary>
    private static void CheckStructure(string archive, List<PlannedEntry> plan)
    {
        var kinds = new Dictionary<string, EntryKind>(StringComparer.Ordinal);
        foreach (var entry in plan)
        {
            if (kinds.TryGetValue(entry.Path, out var previous))
            {
                if (previous == EntryKind.Directory && entry.Kind == EntryKind.Directory)
                {
                    continue;
                }

                throw new DownloadException(archive, $"entry '{entry.RawName}'", $"'{entry.Path}' appears more than once");
            }

            if (entry.Kind == EntryKind.HardLink && (entry.LinkTarget is null || !kinds.TryGetValue(entry.LinkTarget, out var linked) || linked != EntryKind.File))
            {
                throw new DownloadException(archive, $"entry '{entry.RawName}'", $"hard link to '{entry.LinkTarget}', which is not an earlier file of the archive");
            }

            kinds[entry.Path] = entry.Kind;
        }

        foreach (var entry in plan)
        {
            foreach (var prefix in Prefixes(entry.Path))
            {
                if (kinds.TryGetValue(prefix, out var kind) && kind != EntryKind.Directory)
                {
                    throw new DownloadException(archive, $"entry '{entry.RawName}'", $"lies under '{prefix}', which is a {kind.ToString().ToLowerInvariant()}, not a folder");
                }
            }

            if (entry.Kind == EntryKind.Symlink)
            {
                foreach (var prefix in Prefixes(entry.LinkTarget!).Append(entry.LinkTarget!).Concat(entry.Through!))
                {
                    if (kinds.TryGetValue(prefix, out var kind) && kind == EntryKind.Symlink)
                    {
                        throw new DownloadException(archive, $"entry '{entry.RawName}'", $"symbolic link goes through another link ('{prefix}'); link chains are not extracted");
                    }
                }
            }
        }
    }

    private static IEnumerable<string> Prefixes(string path)
    {
        for (var i = path.IndexOf('/', StringComparison.Ordinal); i > 0; i = path.IndexOf('/', i + 1))
        {
            yield return path[..i];
        }
    }

    private static async Task<long> WriteAsync(string archive, ArchiveFormat format, List<PlannedEntry> plan, string temp, long total, IProgress<double>? progress, CancellationToken ct)
    {
        var byName = new Queue<PlannedEntry>(plan);
        long written = 0;
        var buffer = new byte[1 << 16];

        async Task WriteEntryAsync(PlannedEntry entry, Func<Stream> open)
        {
            ct.ThrowIfCancellationRequested();
            var destination = Path.Combine(temp, entry.Path.Replace('/', Path.DirectorySeparatorChar));
            switch (entry.Kind)
            {
                case EntryKind.Directory:
                    Directory.CreateDirectory(destination);
                    break;
                case EntryKind.File:
                    Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                    long entryBytes = 0;
                    await using (var input = open())
                    await using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    {
                        int n;
                        while ((n = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                        {
                            entryBytes += n;
                            if (entryBytes > entry.Size)
                            {
                                throw new DownloadException(archive, $"entry '{entry.RawName}'", $"holds more than the {entry.Size} bytes its header declares");
                            }

                            await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                            written += n;
                        }
                    }

                    progress?.Report(total == 0 ? 1.0 : Math.Min(1.0, (double)written / total));
                    break;
            }
        }

        if (format == ArchiveFormat.Zip)
        {
            using var zip = ZipFile.OpenRead(archive);
            foreach (var entry in zip.Entries)
            {
                if (byName.TryPeek(out var next) && next.RawName == entry.FullName)
                {
                    await WriteEntryAsync(byName.Dequeue(), entry.Open).ConfigureAwait(false);
                }
            }
        }
        else
        {
            await using var stream = OpenTar(archive, format);
            await using var reader = new TarReader(stream);
            while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
            {
                if (byName.TryPeek(out var next) && next.RawName == entry.Name)
                {
                    var data = entry.DataStream;
                    await WriteEntryAsync(byName.Dequeue(), () => data is null ? Stream.Null : new NonClosingStream(data)).ConfigureAwait(false);
                }
            }
        }

        // Links last, so that no entry of the archive is ever written through one.
        foreach (var entry in plan.Where(e => e.Kind is EntryKind.Symlink or EntryKind.HardLink))
        {
            ct.ThrowIfCancellationRequested();
            var destination = Path.Combine(temp, entry.Path.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            if (entry.Kind == EntryKind.HardLink)
            {
                File.Copy(Path.Combine(temp, entry.LinkTarget!.Replace('/', Path.DirectorySeparatorChar)), destination);
            }
            else
            {
                var relative = Path.GetRelativePath(Path.GetDirectoryName(destination)!, Path.Combine(temp, entry.LinkTarget!.Replace('/', Path.DirectorySeparatorChar)));
                File.CreateSymbolicLink(destination, relative);
            }
        }

        return written;
    }

    private static Stream OpenTar(string archive, ArchiveFormat format)
    {
        Stream stream = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return format == ArchiveFormat.TarGz ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }

    private static Marker? ReadMarker(string folder)
    {
        var path = Path.Combine(folder, MarkerFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Marker>(File.ReadAllBytes(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void RemoveStalePartials(string parent, string name)
    {
        foreach (var stale in Directory.EnumerateDirectories(parent, $".{name}.partial-*"))
        {
            TryDeleteFolder(stale);
        }
    }

    private static void TryDeleteFolder(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // The original error matters more than a leftover hidden folder.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    /// <summary>Lets the extraction loop dispose its view without closing the tar reader's data stream.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
