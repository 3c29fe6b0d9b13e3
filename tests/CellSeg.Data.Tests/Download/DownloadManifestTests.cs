using CellSeg.Data.Download;

namespace CellSeg.Data.Tests.Download;

public sealed class DownloadManifestTests
{
    private static string RepoManifest => Path.Combine(TestPaths.RepoRoot, "workflows", "data", "livecell-manifest.json");

    [Fact]
    public async Task The_repository_manifest_lists_the_official_livecell_layout()
    {
        var manifest = await DownloadManifest.LoadAsync(RepoManifest);

        Assert.Equal("https://livecell-dataset.s3.eu-central-1.amazonaws.com/LIVECell_dataset_2021/", manifest.BaseUrl.ToString());
        var images = Assert.Single(manifest.Select(["images"]));
        Assert.Equal(ManifestFileKind.Archive, images.Kind);
        Assert.Equal("images", images.ExtractFolder);
        Assert.Equal(3, manifest.Select(["livecell-wide"]).Count);
        Assert.Equal(24, manifest.Select(["single-cell"]).Count);
        Assert.Equal(8 * 3 + 3 + 5, manifest.Select(["annotations"]).Count);
        var a172 = manifest.Select(["single-cell:a172"]);
        Assert.Equal(["annotations/LIVECell_single_cells/a172/train.json", "annotations/LIVECell_single_cells/a172/val.json", "annotations/LIVECell_single_cells/a172/test.json"], a172.Select(f => f.Path));
        var test = Assert.Single(manifest.Select(["livecell-wide:test"]));
        Assert.Equal(
            "https://livecell-dataset.s3.eu-central-1.amazonaws.com/LIVECell_dataset_2021/annotations/LIVECell/livecell_coco_test.json",
            manifest.SourceOf(test).ToString());
    }

    [Fact]
    public async Task An_unknown_selection_names_what_there_is()
    {
        var manifest = await DownloadManifest.LoadAsync(RepoManifest);

        var error = Assert.Throws<DataFormatException>(() => manifest.Select(["single-cell:hela"]));

        Assert.Contains("selection 'single-cell:hela'", error.Message, StringComparison.Ordinal);
        Assert.Contains("single-cell:a172", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "files": [] }""", "baseUrl: missing")]
    [InlineData("""{ "baseUrl": "ftp://x/", "files": [] }""", "neither http(s), file:// nor a local folder")]
    [InlineData("""{ "baseUrl": "http://x/", "files": [ { "id": "a", "path": "../a.json", "kind": "annotations" } ] }""", "files[0] ('a'): path '../a.json' must not hold")]
    [InlineData("""{ "baseUrl": "http://x/", "files": [ { "id": "a", "path": "/a.json", "kind": "annotations" } ] }""", "must be relative")]
    [InlineData("""{ "baseUrl": "http://x/", "files": [ { "id": "a", "path": "a.json", "kind": "model" } ] }""", "kind 'model' is not annotations or archive")]
    [InlineData("""{ "baseUrl": "http://x/", "files": [ { "id": "a", "path": "a.json", "kind": "annotations", "sha256": "abc" } ] }""", "sha256 must be 64 hex digits")]
    [InlineData("""{ "baseUrl": "http://x/", "files": [ { "id": "a", "path": "a.json", "kind": "annotations", "size": -1 } ] }""", "size must be a whole number")]
    [InlineData("""{ "baseUrl": "http://x/", "files": [ { "id": "a", "path": "a.json", "kind": "annotations" }, { "id": "a", "path": "b.json", "kind": "annotations" } ] }""", "files[1] ('a'): duplicate id")]
    [InlineData("""{ "baseUrl": "http://x/", "files": [ { "id": "a", "path": "a.json", "kind": "annotations", "extractTo": "x" } ] }""", "apply to archives only")]
    [InlineData("""{ "baseUrl": "http://x/", "files": [ { "id": "a" """, "not valid JSON")]
    public void A_bad_manifest_names_the_file_the_entry_and_the_reason(string json, string expected)
    {
        var error = Assert.Throws<DataFormatException>(() => DownloadManifest.Parse(json, "/data/m.json"));

        Assert.StartsWith("/data/m.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_local_folder_or_file_url_can_replace_the_base_url()
    {
        var manifest = DownloadManifest.Parse("""{ "baseUrl": "mirror", "files": [ { "id": "a", "path": "x y/a.json", "kind": "annotations" } ] }""", "/data/m.json");
        Assert.Equal(new Uri("file:///data/mirror/"), manifest.BaseUrl);
        Assert.Equal("/data/mirror/x y/a.json", manifest.SourceOf(manifest.Files[0]).LocalPath);

        var other = manifest.WithBaseUrl("file:///srv/livecell");
        Assert.Equal("/srv/livecell/x y/a.json", other.SourceOf(other.Files[0]).LocalPath);
        Assert.Equal("http://mirror.example/ds/x%20y/a.json", manifest.WithBaseUrl("http://mirror.example/ds").SourceOf(manifest.Files[0]).AbsoluteUri);
    }
}
