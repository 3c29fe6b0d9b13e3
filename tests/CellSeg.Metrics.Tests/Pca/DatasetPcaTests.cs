using System.Buffers.Binary;
using CellSeg.Data.Coco;
using CellSeg.Metrics.Pca;

namespace CellSeg.Metrics.Tests.Pca;

public sealed class DatasetPcaTests
{
    private static string? ImagePath(CocoImage image)
    {
        foreach (var folder in new[] { "livecell_test_images", "livecell_train_val_images" })
        {
            var path = Path.Combine(TestPaths.LivecellSample, "images", folder, image.FileName);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    [Theory]
    [InlineData(FeatureSet.Masks)]
    [InlineData(FeatureSet.Pixels)]
    [InlineData(FeatureSet.Morphology)]
    public async Task Real_test_and_val_images_are_placed_and_plotted(FeatureSet features)
    {
        var test = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var val = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var result = await DatasetPca.ComputeAsync(
            [new PcaDatasetInput("test", test, ImagePath), new PcaDatasetInput("val", val, ImagePath)],
            new DatasetPcaOptions { Features = features, GridWidth = 16, GridHeight = 12 });

        Assert.Equal(20, result.Points.Count);
        Assert.Equal(0, result.SkippedImages);
        Assert.Equal(15, result.Points.Count(p => p.Dataset == "test"));
        Assert.All(result.Points, p => Assert.NotNull(p.CellType));
        Assert.True(result.ExplainedVarianceRatio[0] >= result.ExplainedVarianceRatio[1]);
        Assert.InRange(result.ExplainedVarianceRatio[0] + result.ExplainedVarianceRatio[1], 0.05, 1.0 + 1e-9);
        // Scores are centred: they sum to zero over the fitted images.
        Assert.Equal(0, result.Points.Sum(p => p.Pc1), 6);
        Assert.Equal(0, result.Points.Sum(p => p.Pc2), 6);

        var folder = TestPaths.NewTempFolder();
        var png = Path.Combine(folder, "pca.png");
        await PcaPlot.WritePngAsync(result, png, "PCA", 640, 480);
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
        Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(480, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
        await result.WriteCsvAsync(Path.Combine(folder, "pca.csv"));
        Assert.Equal(21, File.ReadAllLines(Path.Combine(folder, "pca.csv")).Length);
    }

    [Fact]
    public void Mask_features_are_the_covered_fraction_of_each_block()
    {
        // A 4×4 image, a 2×2 grid; one cell covering the top-left block fully and one pixel of the bottom-right.
        var cell = CellSeg.Data.Masks.Rle.FromSortedPositions([0, 1, 4, 5, 15], 4, 4);
        var features = ImageFeatures.Masks([cell], 4, 4, 2, 2);
        Assert.Equal([1.0, 0.0, 0.0, 0.25], features);
    }

    [Fact]
    public async Task Images_without_files_are_skipped_and_too_few_is_an_error()
    {
        var test = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => DatasetPca.ComputeAsync([new PcaDatasetInput("test", test, i => i.Id == test.Images[0].Id ? ImagePath(i) : null)]));
        Assert.Contains("at least 2 images", ex.Message, StringComparison.Ordinal);
        Assert.Contains("14 without a file", ex.Message, StringComparison.Ordinal);
    }
}
