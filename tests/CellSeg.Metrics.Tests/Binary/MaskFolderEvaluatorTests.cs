using CellSeg.Data;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using CellSeg.Metrics.Binary;

namespace CellSeg.Metrics.Tests.Binary;

public sealed class MaskFolderEvaluatorTests
{
    [Fact]
    public async Task Mask_pngs_are_scored_per_image_and_per_cell_type_and_a_missing_one_is_named()
    {
        var folder = TestPaths.NewTempFolder();
        var truth = new BinaryMask(4, 5);
        truth[1, 1] = 1;
        truth[2, 1] = 1;
        var pixels = new byte[20];
        pixels[1 * 5 + 1] = 255;
        pixels[3 * 5 + 4] = 7;
        await GrayImageIO.WritePngAsync(new GrayImage(5, 4, pixels), Path.Combine(folder, MaskFolderEvaluator.MaskFileName("A172_x.tif")));
        var images = new[] { new SemanticGroundTruth(1, "A172_x.tif", "A172", truth) };

        var evaluation = await MaskFolderEvaluator.EvaluateAsync(images, folder);

        // One true positive, one false positive, one false negative: F1 = 2·1 / (2·1 + 1 + 1).
        Assert.Equal(0.5, evaluation.Overall.F1, 12);
        Assert.Equal(["A172"], evaluation.PerCellType.Keys);
        Assert.Equal("A172_x.png", MaskFolderEvaluator.MaskFileName("A172_x.tif"));
        var missing = await Assert.ThrowsAsync<DataFormatException>(() => MaskFolderEvaluator.EvaluateAsync([images[0] with { FileName = "B.tif" }], folder));
        Assert.Contains("no mask for image B.tif", missing.Message, StringComparison.Ordinal);
    }
}
