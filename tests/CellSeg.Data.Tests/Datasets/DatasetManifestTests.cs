using CellSeg.Data.Coco;
using CellSeg.Data.Datasets;
using CellSeg.Data.Imaging;

namespace CellSeg.Data.Tests.Datasets;

public sealed class DatasetManifestTests
{
    [Fact]
    public async Task Manifest_of_the_real_test_split_matches_the_staged_annotation_counts()
    {
        var dataset = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var manifest = DatasetManifestBuilder.Build(dataset, "livecell test", "test");
        var staged = File.ReadLines(Path.Combine(TestData.LivecellSample, "MANIFEST.tsv")).Skip(1)
            .Select(l => l.Split('\t'))
            .Where(f => f[4] == "test" && f[0].StartsWith("images/", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileName(f[0]), f => (CellType: f[5], Count: int.Parse(f[7], System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(staged.Count, manifest.Images.Count);
        foreach (var entry in manifest.Images)
        {
            Assert.Equal(staged[entry.FileName].Count, entry.Cells);
            Assert.Equal(staged[entry.FileName].CellType, entry.CellType);
            Assert.Equal("test", entry.Split);
            Assert.Equal(entry.Cells / (704.0 * 520) * 1e6, entry.CellsPerMegapixel, 9);
            Assert.InRange(entry.Coverage, 0.01, 1);
        }

        var all = manifest.Statistics[^1];
        Assert.Equal("all", all.Group);
        Assert.Equal(3285, all.Cells);
        Assert.Equal(15, all.Images);
        foreach (var row in manifest.Statistics.SkipLast(1))
        {
            var counts = staged.Values.Where(v => v.CellType == row.Group).Select(v => v.Count).Order().ToArray();
            Assert.Equal(counts.Length, row.Images);
            Assert.Equal(counts.Sum(), row.Cells);
            Assert.Equal(counts[0], row.MinCellsPerImage);
            Assert.Equal(counts[^1], row.MaxCellsPerImage);
            Assert.InRange(row.P95CellsPerImage, row.MedianCellsPerImage, row.MaxCellsPerImage);
        }
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.5, 2.5)]
    [InlineData(new double[] { 1, 2, 3, 4 }, 0.95, 3.85)] // numpy.percentile([1,2,3,4], 95) = 3.85
    [InlineData(new double[] { 10 }, 0.05, 10)]
    [InlineData(new double[] { 0, 100 }, 0.05, 5)]
    public void Quantile_interpolates_between_ranks_like_numpy(double[] sorted, double q, double expected) =>
        Assert.Equal(expected, DatasetManifestBuilder.Quantile(sorted, q), 12);

    [Fact]
    public async Task Manifest_round_trips_through_json_and_a_damaged_file_names_the_field()
    {
        using var temp = new TempDirectory();
        var dataset = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var manifest = DatasetManifestBuilder.Build(dataset, "val", "val", i => "/data/" + i.FileName, [new ReadIssue("image 1", "missing")]);
        var path = temp.File("manifest.json");
        await manifest.WriteAsync(path);
        var back = await DatasetManifest.ReadAsync(path);
        Assert.Equal(manifest.Images, back.Images);
        Assert.Equal(manifest.Statistics, back.Statistics);
        Assert.Equal(manifest.Issues, back.Issues);

        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("\"cells\": ", "\"cells\": \"many\", \"x\": ", StringComparison.Ordinal));
        var ex = await Assert.ThrowsAsync<DataFormatException>(() => DatasetManifest.ReadAsync(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("cells", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_check_finds_a_wrong_size_and_an_unreadable_file()
    {
        using var temp = new TempDirectory();
        var small = temp.File("small.png");
        await GrayImageIO.WritePngAsync(GrayImage.Create8(20, 10), small);
        var junk = temp.File("junk.tif");
        await File.WriteAllTextAsync(junk, "not an image");
        var real = Path.Combine(TestData.LivecellSample, "images", "livecell_test_images", "A172_Phase_C7_1_00d20h00m_4.tif");
        var images = new List<(CocoImage, string)>
        {
            (new CocoImage(1, "A172_Phase_C7_1_00d20h00m_4.tif", 704, 520), real),
            (new CocoImage(2, "small.png", 704, 520), small),
            (new CocoImage(3, "junk.tif", 704, 520), junk),
        };

        var issues = await ImageCheck.CheckAsync(images, "gt.json", lenient: true);
        Assert.Equal(2, issues.Count);
        Assert.Contains("20×10", issues[0].Reason, StringComparison.Ordinal);
        Assert.Contains("image 3", issues[1].Record, StringComparison.Ordinal);
        var strict = await Assert.ThrowsAsync<DataFormatException>(() => ImageCheck.CheckAsync(images, "gt.json", lenient: false));
        Assert.Contains("gt.json: image 2 (small.png)", strict.Message, StringComparison.Ordinal);
    }
}
