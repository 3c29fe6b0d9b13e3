using CellSeg.Data;
using CellSeg.Models.Data;

namespace CellSeg.Models.Tests;

public class DatasetTests
{
    [Fact]
    public async Task Real_livecell_images_load_with_their_semantic_masks_and_cell_types()
    {
        var data = await TestData.Val();
        Assert.Equal(5, data.Count);
        Assert.Equal(["BT474", "Huh7", "MCF7"], data.CellTypes);
        foreach (var sample in data.Samples)
        {
            Assert.Equal((704, 520), (sample.Image.Width, sample.Image.Height));
            var fraction = sample.Mask.CountForeground() / (double)sample.Mask.Data.Length;
            Assert.InRange(fraction, 0.02, 0.98);
        }

        Assert.Equal(2, data.OfCellType("MCF7").Count);
    }

    [Fact]
    public async Task A_missing_image_names_the_record_and_the_paths_tried()
    {
        var empty = TestPaths.NewTempFolder();
        var e = await Assert.ThrowsAsync<DataFormatException>(() => SegmentationDataset.LoadAsync(TestPaths.ValAnnotations, empty));
        Assert.Equal(TestPaths.ValAnnotations, e.FilePath);
        Assert.Contains("MCF7_Phase_G4_2_02d16h00m_1.tif", e.Record);
        Assert.Contains(empty, e.Reason);
    }

    [Fact]
    public async Task Filters_pick_cell_types_and_cap_the_count()
    {
        var data = await SegmentationDataset.LoadAsync(TestPaths.ValAnnotations, TestData.ValImages,
            new SegmentationDatasetOptions { CellTypes = ["BT474"], MaxImages = 1 });
        Assert.Equal("BT474", Assert.Single(data.Samples).CellType);
    }
}
