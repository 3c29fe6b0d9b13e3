using System.Text.Json;
using CellSeg.Data.Imaging;
using CellSeg.Models;
using CellSeg.Models.Networks;

namespace CellSegFlows.Cli.Tests;

public sealed class SegmentCommandTests
{
    private static string TestImages => Path.Combine(TestPaths.LivecellSample, "images", "livecell_test_images");

    private static string TinyModel(string folder)
    {
        var path = Path.Combine(folder, "tiny.cellseg");
        using var model = SegmentationModel.Create(UNetArchitectures.UNet, new UNetOptions { Depth = 2, BaseChannels = 4 }, seed: 3);
        model.Save(path);
        return path;
    }

    [Fact]
    public async Task Segment_writes_masks_labels_overlays_and_coco_results_with_the_ground_truth_ids()
    {
        var folder = TestPaths.NewTempFolder();
        var model = TinyModel(folder);
        var images = Directory.EnumerateFiles(TestImages, "SKOV3*").Order(StringComparer.Ordinal).Take(2).ToArray();
        var outDir = Path.Combine(folder, "out");
        var (code, output) = await CliRunner.RunAsync(["segment", "--model", model, "--out", outDir, "--gt", TestPaths.TestAnnotations, "--threshold", "0.5", .. images]);

        Assert.True(code == 0, output);
        Assert.Contains("2 images", output);
        foreach (var image in images)
        {
            var name = Path.GetFileNameWithoutExtension(image);
            var mask = await GrayImageIO.ReadAsync(Path.Combine(outDir, name + ".mask.png"));
            Assert.Equal((704, 520, 8), (mask.Width, mask.Height, mask.BitDepth));
            Assert.All(mask.Pixels8, p => Assert.True(p is 0 or 255));
            var labels = await GrayImageIO.ReadAsync(Path.Combine(outDir, name + ".labels.png"));
            Assert.Equal(16, labels.BitDepth);
            Assert.True(File.Exists(Path.Combine(outDir, name + ".overlay.png")));
        }

        using var predictions = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "predictions.json")));
        var gtIds = JsonDocument.Parse(await File.ReadAllTextAsync(TestPaths.TestAnnotations)).RootElement.GetProperty("images").EnumerateArray()
            .Where(i => images.Select(Path.GetFileName).Contains(i.GetProperty("file_name").GetString()))
            .Select(i => i.GetProperty("id").GetInt64()).ToHashSet();
        Assert.All(predictions.RootElement.EnumerateArray(), d => Assert.Contains(d.GetProperty("image_id").GetInt64(), gtIds));
    }

    [Fact]
    public async Task A_folder_of_images_is_segmented_and_bad_input_is_a_one_line_error()
    {
        var folder = TestPaths.NewTempFolder();
        var model = TinyModel(folder);
        var images = Path.Combine(folder, "images");
        Directory.CreateDirectory(images);
        await GrayImageIO.WritePngAsync(GrayImage.Create8(40, 30), Path.Combine(images, "a.png"));
        await GrayImageIO.WritePngAsync(GrayImage.Create8(50, 20), Path.Combine(images, "b.png"));
        var (code, output) = await CliRunner.RunAsync("segment", "--model", model, "--out", Path.Combine(folder, "out"), images);
        Assert.True(code == 0, output);
        Assert.Equal((40, 30), await SizeOf(Path.Combine(folder, "out", "a.mask.png")));
        Assert.Equal((50, 20), await SizeOf(Path.Combine(folder, "out", "b.mask.png")));

        var junk = Path.Combine(folder, "junk.cellseg");
        await File.WriteAllTextAsync(junk, "not a model");
        (code, output) = await CliRunner.RunAsync("segment", "--model", junk, "--out", Path.Combine(folder, "out2"), images);
        Assert.Equal(2, code);
        Assert.Contains("junk.cellseg", output);
        Assert.DoesNotContain("   at ", output);

        (code, output) = await CliRunner.RunAsync("segment", "--model", model, "--out", Path.Combine(folder, "out3"), Path.Combine(folder, "missing.tif"));
        Assert.Equal(2, code);
        Assert.Contains("missing.tif: no such image file or folder", output);
    }

    private static async Task<(int, int)> SizeOf(string png)
    {
        var image = await GrayImageIO.ReadAsync(png);
        return (image.Width, image.Height);
    }
}
