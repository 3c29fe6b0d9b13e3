using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Folds;
using CellSeg.Data.Livecell;
using CellSegFlows.Testing;

namespace CellSeg.Data.Tests.Folds;

public sealed class StratifiedFoldsTests
{
    private static readonly string[] TwoImageTypes = ["A172", "BT474", "Huh7", "MCF7", "SKOV3"];

    private static Task<CocoDataset> TestSplit() => CocoReader.LoadAsync(TestPaths.TestAnnotations);

    [Fact]
    public async Task Folds_of_the_real_test_split_are_disjoint_complete_and_hold_out_every_cell_type()
    {
        var dataset = await TestSplit();
        var folds = StratifiedFolds.Split(dataset, 2, seed: 1, TwoImageTypes);
        Assert.Equal(2, folds.Count);
        var kept = dataset.Images.Where(i => TwoImageTypes.Contains(CellTypes.FromFileName(i.FileName))).Select(i => i.Id).Order().ToList();
        Assert.Equal(13, kept.Count);
        Assert.Equal(kept, folds.SelectMany(f => f.HeldOut.Images.Select(i => i.Id)).Order().ToList()); // each image held out exactly once
        foreach (var fold in folds)
        {
            Assert.Empty(fold.Train.Images.Select(i => i.Id).Intersect(fold.HeldOut.Images.Select(i => i.Id)));
            Assert.Equal(kept.Count, fold.Train.Images.Count + fold.HeldOut.Images.Count);
            foreach (var type in TwoImageTypes)
            {
                Assert.Contains(fold.HeldOut.Images, i => CellTypes.FromFileName(i.FileName) == type);
                Assert.Contains(fold.Train.Images, i => CellTypes.FromFileName(i.FileName) == type);
            }

            var ids = fold.HeldOut.Images.Select(i => i.Id).ToHashSet();
            Assert.All(fold.HeldOut.Annotations, a => Assert.Contains(a.ImageId, ids));
            Assert.Equal(dataset.Annotations.Count(a => ids.Contains(a.ImageId)), fold.HeldOut.Annotations.Count);
        }
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_folds_and_another_seed_may_differ()
    {
        var dataset = await TestSplit();
        static List<string> Names(IReadOnlyList<Fold> folds) => [.. folds.Select(f => string.Join(",", f.HeldOut.Images.Select(i => i.FileName).Order(StringComparer.Ordinal)))];
        Assert.Equal(Names(StratifiedFolds.Split(dataset, 2, 7, TwoImageTypes)), Names(StratifiedFolds.Split(dataset, 2, 7, TwoImageTypes)));
        var seeds = Enumerable.Range(1, 6).Select(s => string.Join("|", Names(StratifiedFolds.Split(dataset, 2, s, TwoImageTypes)))).Distinct().Count();
        Assert.True(seeds > 1, "six seeds all gave one split");
    }

    [Fact]
    public async Task More_folds_than_images_of_a_cell_type_is_one_clear_error()
    {
        var dataset = await TestSplit();
        var error = Assert.Throws<DataFormatException>(() => StratifiedFolds.Split(dataset, 2, 1));
        Assert.Contains("cell type SHSY5Y has 1 image(s), fewer than the 2 folds", error.Message);
        error = Assert.Throws<DataFormatException>(() => StratifiedFolds.Split(dataset, 3, 1, TwoImageTypes));
        Assert.Contains("cell type BT474 has 2 image(s), fewer than the 3 folds", error.Message);
    }

    [Fact]
    public async Task Images_of_the_val_split_are_refused()
    {
        var test = await TestSplit();
        var val = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var mixed = new CocoDataset([.. test.Images, .. val.Images], test.Categories, [.. test.Annotations, .. val.Annotations], sourcePath: "mixed.json");
        var release = val.Images.Select(i => i.FileName).ToHashSet(StringComparer.Ordinal);
        var error = Assert.Throws<DataFormatException>(() => StratifiedFolds.Split(mixed, 2, 1, TwoImageTypes, release));
        Assert.Contains("5 image(s) of LIVECell's val split", error.Message);
        Assert.Contains("BT474_Phase_B3_2_02d12h00m_3.tif", error.Message);
        Assert.Equal(2, StratifiedFolds.Split(test, 2, 1, TwoImageTypes, release).Count); // the test split alone passes
    }
}
