using CellSeg.Models.Data;

namespace CellSeg.Models.Tests;

/// <summary>Real LIVECell images from the shared sample, loaded once per test run.</summary>
internal static class TestData
{
    private static readonly Lazy<Task<SegmentationDataset>> ValSet = new(() =>
        SegmentationDataset.LoadAsync(TestPaths.ValAnnotations, ValImages));

    public static string ValImages => Path.Combine(TestPaths.LivecellSample, "images", "livecell_train_val_images");

    public static string TestImages => Path.Combine(TestPaths.LivecellSample, "images", "livecell_test_images");

    /// <summary>The 5 annotated validation images (MCF7, Huh7, BT474).</summary>
    public static Task<SegmentationDataset> Val() => ValSet.Value;
}
