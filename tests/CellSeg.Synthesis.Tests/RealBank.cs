using CellSeg.Data.Coco;

namespace CellSeg.Synthesis.Tests;

/// <summary>The cell bank of the real LIVECell sample (test + val annotations), built once per test run.</summary>
internal static class RealBank
{
    private static readonly Lazy<Task<(CellBank Bank, CocoDataset Test, CocoDataset Val)>> Shared = new(BuildAsync);

    public static string TestImages => Path.Combine(TestPaths.LivecellSample, "images", "livecell_test_images");

    public static string ValImages => Path.Combine(TestPaths.LivecellSample, "images", "livecell_train_val_images");

    public static Task<(CellBank Bank, CocoDataset Test, CocoDataset Val)> GetAsync() => Shared.Value;

    /// <summary>The bank as cut before seamless filling (tiled holes), for the tests that pin earlier outputs.</summary>
    public static Task<(CellBank Bank, CocoDataset Test, CocoDataset Val)> GetTiledAsync() => Tiled.Value;

    private static readonly Lazy<Task<(CellBank Bank, CocoDataset Test, CocoDataset Val)>> Tiled = new(() => BuildAsync(new CellBankOptions { SeamlessFill = false }));

    /// <summary>The test and val sets as one dataset (ids do not collide), with a locator over both folders.</summary>
    public static async Task<(CellBank Bank, CocoDataset Test, CocoDataset Val)> BuildAsync() => await BuildAsync(null);

    /// <summary>The same bank cut with other options.</summary>
    public static async Task<(CellBank Bank, CocoDataset Test, CocoDataset Val)> BuildAsync(CellBankOptions? options)
    {
        var test = await CocoReader.LoadAsync(TestPaths.TestAnnotations);
        var val = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var both = new CocoDataset([.. test.Images, .. val.Images], test.Categories, [.. test.Annotations, .. val.Annotations]);
        var bank = await CellBank.BuildAsync(both, image =>
        {
            var inTest = Path.Combine(TestImages, image.FileName);
            return File.Exists(inTest) ? inTest : Path.Combine(ValImages, image.FileName);
        }, options);
        return (bank, test, val);
    }
}
