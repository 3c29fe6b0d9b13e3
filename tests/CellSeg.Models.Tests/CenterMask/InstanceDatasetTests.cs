using CellSeg.Models.CenterMask;

namespace CellSeg.Models.Tests.CenterMask;

public class InstanceDatasetTests
{
    [Fact]
    public async Task Sets_load_from_flat_and_per_cell_type_folders_with_extra_sets_and_a_cell_type_filter()
    {
        var (annotations, images) = await LivecellCrops.WriteAsync(64, 1037332, 100601);

        // LIVECell's layout: the Huh7 crop in a sub-folder named after its cell type, the BT474 crop flat.
        var huh7 = Directory.GetFiles(images, "Huh7*.png").Single();
        Directory.CreateDirectory(Path.Combine(images, "Huh7"));
        File.Move(huh7, Path.Combine(images, "Huh7", Path.GetFileName(huh7)));

        var set = new CocoImageSet(annotations, images);
        var all = await InstanceDataset.LoadAsync([set, set]);
        Assert.Equal(4, all.Count);
        Assert.Equal([1], all.CategoryIds);
        Assert.Equal(["Huh7", "BT474", "Huh7", "BT474"], all.Samples.Select(s => s.CellType));
        Assert.All(all.Samples, s =>
        {
            Assert.NotEmpty(s.Cells);
            Assert.All(s.Cells, c => Assert.True(c.X1 >= 0 && c.X2 <= 64 && c.X1 < c.X2 && c.Y1 < c.Y2 && c.Polygons.Count > 0));
        });

        var bt474 = await InstanceDataset.LoadAsync([set], ["BT474"]);
        var sample = Assert.Single(bt474.Samples);
        Assert.Equal(100601, sample.ImageId);
        var input = sample.ToCenterMaskSample();
        Assert.Equal(new long[] { 64, 64 }, input.Image.shape);
        Assert.Equal(new long[] { sample.Cells.Count, 4 }, input.Boxes!.shape);
        Assert.Equal(sample.Cells.Count, input.Polygons!.Count);
    }
}
