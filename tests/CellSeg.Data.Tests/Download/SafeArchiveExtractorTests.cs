using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using CellSeg.Data.Download;

namespace CellSeg.Data.Tests.Download;

public sealed class SafeArchiveExtractorTests
{
    private static readonly SafeArchiveExtractor Extractor = new();

    private sealed record Item(string Name, string? Content = "x", TarEntryType Type = TarEntryType.RegularFile, string? Link = null);

    private static string Zip(string folder, params Item[] items)
    {
        var path = Path.Combine(folder, "archive.zip");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var item in items)
        {
            var entry = zip.CreateEntry(item.Name);
            if (item.Type == TarEntryType.SymbolicLink)
            {
                entry.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
                using var w = new StreamWriter(entry.Open());
                w.Write(item.Link);
            }
            else if (item.Type != TarEntryType.Directory)
            {
                using var w = new StreamWriter(entry.Open());
                w.Write(item.Content);
            }
        }

        return path;
    }

    private static string Tar(string folder, bool gzip, params Item[] items)
    {
        var path = Path.Combine(folder, gzip ? "archive.tar.gz" : "archive.tar");
        using var file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        using var writer = new TarWriter(stream, TarEntryFormat.Pax);
        foreach (var item in items)
        {
            var entry = new PaxTarEntry(item.Type, item.Name);
            if (item.Link is not null)
            {
                entry.LinkName = item.Link;
            }

            if (item.Type == TarEntryType.RegularFile)
            {
                entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(item.Content ?? string.Empty));
            }

            writer.WriteEntry(entry);
        }

        return path;
    }

    private static void AssertNothingExtracted(string target)
    {
        Assert.False(Directory.Exists(target), "no target folder");
        Assert.Empty(Directory.EnumerateDirectories(Path.GetDirectoryName(target)!, ".*partial*"));
    }

    public static TheoryData<string, string, string> EscapingEntries => new()
    {
        { "zip", "../evil", "holds '..'" },
        { "zip", "a/../../evil", "holds '..'" },
        { "zip", "/etc/x", "absolute path" },
        { "zip", "..\\evil", "holds '..'" },
        { "tar", "../evil", "holds '..'" },
        { "tar", "/etc/x", "absolute path" },
        { "tgz", "ok/../../evil", "holds '..'" },
    };

    [Theory]
    [MemberData(nameof(EscapingEntries))]
    public async Task Entries_that_would_write_outside_the_target_are_refused(string format, string name, string reason)
    {
        var folder = TestPaths.NewTempFolder();
        Item[] items = [new("good.txt"), new(name)];
        var archive = format == "zip" ? Zip(folder, items) : Tar(folder, format == "tgz", items);
        var target = Path.Combine(folder, "out");

        var error = await Assert.ThrowsAsync<DownloadException>(() => Extractor.ExtractAsync(archive, target));

        Assert.Contains(archive, error.Message, StringComparison.Ordinal);
        Assert.Contains($"entry '{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        AssertNothingExtracted(target);
        Assert.False(File.Exists(Path.Combine(folder, "evil")));
    }

    public static TheoryData<string, TarEntryType, string, string> EscapingLinks => new()
    {
        { "tar", TarEntryType.SymbolicLink, "/etc/passwd", "absolute path" },
        { "tar", TarEntryType.SymbolicLink, "../../outside", "escapes the target folder" },
        { "tar", TarEntryType.HardLink, "../outside", "holds '..'" },
        { "tar", TarEntryType.HardLink, "/etc/passwd", "absolute path" },
        { "zip", TarEntryType.SymbolicLink, "../../outside", "escapes the target folder" },
        { "zip", TarEntryType.SymbolicLink, "/etc/passwd", "absolute path" },
    };

    [Theory]
    [MemberData(nameof(EscapingLinks))]
    public async Task Links_whose_target_escapes_are_refused(string format, TarEntryType type, string link, string reason)
    {
        var folder = TestPaths.NewTempFolder();
        Item[] items = [new("dir/", Type: TarEntryType.Directory), new("dir/link", null, type, link)];
        var archive = format == "zip" ? Zip(folder, items) : Tar(folder, false, items);
        var target = Path.Combine(folder, "out");

        var error = await Assert.ThrowsAsync<DownloadException>(() => Extractor.ExtractAsync(archive, target));

        Assert.Contains("entry 'dir/link'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        AssertNothingExtracted(target);
    }

    [Fact]
    public async Task A_link_that_climbs_through_another_link_is_refused()
    {
        // d/e/up -> ../.. stays inside; l -> d/e/up/.. looks inside lexically but would really leave the folder.
        var folder = TestPaths.NewTempFolder();
        var archive = Tar(folder, false, new Item("d/e/", Type: TarEntryType.Directory), new Item("d/e/up", null, TarEntryType.SymbolicLink, "../.."), new Item("l", null, TarEntryType.SymbolicLink, "d/e/up/.."));
        var target = Path.Combine(folder, "out");

        var error = await Assert.ThrowsAsync<DownloadException>(() => Extractor.ExtractAsync(archive, target));

        Assert.Contains("goes through another link", error.Message, StringComparison.Ordinal);
        AssertNothingExtracted(target);
    }

    [Fact]
    public async Task Duplicates_entries_under_files_and_devices_are_refused()
    {
        var folder = TestPaths.NewTempFolder();
        var target = Path.Combine(folder, "out");
        var duplicate = Tar(Directory.CreateDirectory(Path.Combine(folder, "1")).FullName, false, new Item("a.txt"), new Item("./a.txt"));
        Assert.Contains("appears more than once", (await Assert.ThrowsAsync<DownloadException>(() => Extractor.ExtractAsync(duplicate, target))).Message, StringComparison.Ordinal);
        var underFile = Tar(Directory.CreateDirectory(Path.Combine(folder, "2")).FullName, false, new Item("a"), new Item("a/b"));
        Assert.Contains("which is a file, not a folder", (await Assert.ThrowsAsync<DownloadException>(() => Extractor.ExtractAsync(underFile, target))).Message, StringComparison.Ordinal);
        var fifo = Tar(Directory.CreateDirectory(Path.Combine(folder, "3")).FullName, false, new Item("pipe", null, TarEntryType.Fifo));
        Assert.Contains("entry type Fifo is not extracted", (await Assert.ThrowsAsync<DownloadException>(() => Extractor.ExtractAsync(fifo, target))).Message, StringComparison.Ordinal);
        AssertNothingExtracted(target);
    }

    [Theory]
    [InlineData("zip")]
    [InlineData("tar")]
    [InlineData("tgz")]
    public async Task A_good_archive_extracts_with_a_marker_and_is_not_extracted_twice(string format)
    {
        var folder = TestPaths.NewTempFolder();
        Item[] items =
        [
            new("images/", Type: TarEntryType.Directory),
            new("images/test/A172/a.tif", "aaa"),
            new("images/test/A172/b.tif", "bbbb"),
            new("images/train/BV2/c.tif", "c"),
        ];
        var archive = format == "zip" ? Zip(folder, items) : Tar(folder, format == "tgz", items);
        var target = Path.Combine(folder, "images");
        var options = new ExtractOptions { StripComponents = 1 };

        var result = await Extractor.ExtractAsync(archive, target, options);

        Assert.True(result.Extracted);
        Assert.Equal(3, result.Files);
        Assert.Equal(8, result.Bytes);
        Assert.Equal("aaa", await File.ReadAllTextAsync(Path.Combine(target, "test", "A172", "a.tif")));
        Assert.Equal("c", await File.ReadAllTextAsync(Path.Combine(target, "train", "BV2", "c.tif")));
        Assert.True(File.Exists(Path.Combine(target, SafeArchiveExtractor.MarkerFileName)));

        var again = await Extractor.ExtractAsync(archive, target, options);
        Assert.False(again.Extracted);
    }

    [Fact]
    public async Task An_archive_over_the_entry_or_size_limit_is_refused_before_anything_is_written()
    {
        var folder = TestPaths.NewTempFolder();
        var archive = Zip(folder, new Item("a.txt", new string('a', 1000)), new Item("b.txt"), new Item("c.txt"));
        var target = Path.Combine(folder, "out");
        var many = await Assert.ThrowsAsync<DownloadException>(() => Extractor.ExtractAsync(archive, target, new ExtractOptions { MaxEntries = 2 }));
        Assert.Contains("holds 3 entries, more than the limit of 2", many.Message, StringComparison.Ordinal);
        var large = await Assert.ThrowsAsync<DownloadException>(() => Extractor.ExtractAsync(archive, target, new ExtractOptions { MaxBytes = 500 }));
        Assert.Contains("would extract to 1,002 bytes, more than the limit of 500", large.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        Assert.Equal(3, (await Extractor.ExtractAsync(archive, target)).Files);
    }

    [Fact]
    public async Task Two_extractions_into_one_target_take_turns()
    {
        var folder = TestPaths.NewTempFolder();
        var archive = Zip(folder, Enumerable.Range(0, 50).Select(i => new Item($"f{i}.txt", new string('x', 2000))).ToArray());
        var target = Path.Combine(folder, "out");

        var results = await Task.WhenAll(Extractor.ExtractAsync(archive, target), Task.Run(() => Extractor.ExtractAsync(archive, target)));

        Assert.Equal(1, results.Count(r => r.Extracted));
        Assert.All(results, r => Assert.Equal(50, r.Files));
        Assert.Equal(51, Directory.GetFiles(target).Length);
    }

    [Fact]
    public async Task Links_inside_the_tree_are_made_after_the_files()
    {
        var folder = TestPaths.NewTempFolder();
        var archive = Tar(folder, false, new Item("data/a.txt", "hello"), new Item("data/copy.txt", null, TarEntryType.HardLink, "data/a.txt"), new Item("latest", null, TarEntryType.SymbolicLink, "data/a.txt"));
        var target = Path.Combine(folder, "out");

        await Extractor.ExtractAsync(archive, target);

        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(target, "data", "copy.txt")));
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(target, "latest")));
        Assert.NotNull(new FileInfo(Path.Combine(target, "latest")).LinkTarget);
    }

    [Fact]
    public async Task An_interrupted_extraction_leaves_no_target_and_no_marker()
    {
        var folder = TestPaths.NewTempFolder();
        var archive = Zip(folder, Enumerable.Range(0, 20).Select(i => new Item($"f{i}.txt", new string('x', 1000))).ToArray());
        var target = Path.Combine(folder, "out");
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Extractor.ExtractAsync(archive, target, null, new SyncProgress<double>(_ => cancel.Cancel()), cancel.Token));

        AssertNothingExtracted(target);

        var result = await Extractor.ExtractAsync(archive, target);
        Assert.Equal(20, result.Files);
    }

    [Fact]
    public async Task Too_little_free_space_is_refused_before_anything_is_written()
    {
        var folder = TestPaths.NewTempFolder();
        var archive = Zip(folder, new Item("big.bin", new string('x', 5000)));
        var target = Path.Combine(folder, "out");
        var probed = new List<string>();
        var extractor = new SafeArchiveExtractor(f =>
        {
            probed.Add(f);
            return 4999;
        });

        var error = await Assert.ThrowsAsync<DownloadException>(() => extractor.ExtractAsync(archive, target));

        Assert.Contains("needs 5,000 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("only 4,999 free", error.Message, StringComparison.Ordinal);
        Assert.Equal([folder], probed);
        AssertNothingExtracted(target);
    }

    [Fact]
    public async Task A_foreign_folder_at_the_target_is_not_overwritten()
    {
        var folder = TestPaths.NewTempFolder();
        var archive = Zip(folder, new Item("a.txt"));
        var target = Path.Combine(folder, "out");
        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, "mine.txt"), "keep");

        var error = await Assert.ThrowsAsync<DownloadException>(() => Extractor.ExtractAsync(archive, target));

        Assert.Contains("not a completed extraction", error.Message, StringComparison.Ordinal);
        Assert.Equal("keep", await File.ReadAllTextAsync(Path.Combine(target, "mine.txt")));
    }
}
