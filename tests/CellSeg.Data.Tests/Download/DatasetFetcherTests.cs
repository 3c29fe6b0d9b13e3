using System.IO.Compression;
using CellSeg.Data.Download;
using CellSeg.Data.Livecell;

namespace CellSeg.Data.Tests.Download;

public sealed class DatasetFetcherTests
{
    private static string RepoManifest => Path.Combine(TestPaths.RepoRoot, "workflows", "data", "livecell-manifest.json");

    /// <summary>A tiny copy of the bucket's layout: the test annotations and an images.zip with one image.</summary>
    private static Dictionary<string, byte[]> MirrorFiles()
    {
        using var zipBytes = new MemoryStream();
        using (var zip = new ZipArchive(zipBytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("images/");
            using var w = new StreamWriter(zip.CreateEntry("images/livecell_test_images/A172/A172_Phase_C7_1_00d00h00m_1.tif").Open());
            w.Write("not really a tiff");
        }

        return new Dictionary<string, byte[]>
        {
            ["annotations/LIVECell/livecell_coco_test.json"] = File.ReadAllBytes(TestPaths.TestAnnotations),
            ["images.zip"] = zipBytes.ToArray(),
        };
    }

    private static FileDownloader Downloader() => new(new FileDownloaderOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(10), ResponseTimeout = TimeSpan.FromSeconds(5) });

    [Fact]
    public async Task An_offline_mirror_folder_gives_the_livecell_layout_with_extracted_images()
    {
        var mirror = TestPaths.NewTempFolder();
        foreach (var (path, bytes) in MirrorFiles())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(mirror, path))!);
            await File.WriteAllBytesAsync(Path.Combine(mirror, path), bytes);
        }

        var manifest = (await DownloadManifest.LoadAsync(RepoManifest)).WithBaseUrl(mirror);
        var destination = TestPaths.NewTempFolder();
        using var downloader = Downloader();
        var fetcher = new DatasetFetcher(downloader, new SafeArchiveExtractor());
        var reports = new List<FetchProgress>();

        var result = await fetcher.FetchAsync(new FetchRequest(manifest, ["livecell-wide:test", "images"], destination), new SyncProgress<FetchProgress>(reports.Add));

        Assert.Equal(["images", "livecell-wide:test"], result.Files.Select(f => f.Entry.Id));
        var layout = new LivecellLayout(destination);
        Assert.Equal(result.Files[1].File.Path, layout.FindAnnotationFile(LivecellSplit.Test));
        Assert.Equal(Path.Combine(destination, "images"), result.Files[0].ExtractedFolder);
        Assert.True(File.Exists(Path.Combine(layout.GetImageFolder(LivecellSplit.Test), "A172", "A172_Phase_C7_1_00d00h00m_1.tif")));
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.Contains("annotations/LIVECell/livecell_coco_test.json", await File.ReadAllTextAsync(Path.Combine(destination, DatasetFetcher.HashesFileName)));
    }

    [Fact]
    public async Task Over_http_a_second_fetch_transfers_nothing()
    {
        await using var server = new FaultyHttpServer(MirrorFiles());
        server.Enqueue(new Fault.Status(503), new Fault.DropAfter(1000));
        var manifest = (await DownloadManifest.LoadAsync(RepoManifest)).WithBaseUrl(server.BaseUrl.ToString());
        var destination = TestPaths.NewTempFolder();
        using var downloader = Downloader();
        var fetcher = new DatasetFetcher(downloader, new SafeArchiveExtractor());
        var request = new FetchRequest(manifest, ["livecell-wide:test", "images"], destination);

        var first = await fetcher.FetchAsync(request);
        var requests = server.Requests.Count;
        var second = await fetcher.FetchAsync(request);

        Assert.All(first.Files, f => Assert.True(f.File.Fetched));
        Assert.All(second.Files, f => Assert.False(f.File.Fetched));
        Assert.Equal(requests, server.Requests.Count);
        Assert.Equal(await File.ReadAllBytesAsync(TestPaths.TestAnnotations), await File.ReadAllBytesAsync(second.Files[1].File.Path));
    }
}
