using CellSeg.Data.Coco;
using CellSeg.Data.Masks;
using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class MaskTargetsTests
{
    [Fact]
    public void A_square_in_a_box_of_its_own_size_fills_exactly_its_pixels()
    {
        // Box 14×14 at (10, 10): scale 2. Square (13, 12)–(20, 19) → (6, 4)–(20, 18) on the 28 grid:
        // columns 6..19 and rows 4..17 (integer-cornered squares cover [x0, x1) × [y0, y1) in pycocotools).
        double[] square = [13, 12, 13, 19, 20, 19, 20, 12];
        var target = MaskTargets.Rasterize([square], 10, 10, 24, 24);
        Assert.Equal(28, target.Size);
        for (var y = 0; y < 28; y++)
        {
            for (var x = 0; x < 28; x++)
            {
                var inside = x is >= 6 and < 20 && y is >= 4 and < 18;
                Assert.True((inside ? 1f : 0f) == target.Mask[y * 28 + x], $"pixel ({x}, {y})");
            }
        }

        Assert.Equal(1.0, target.AreaRatio, 12);
    }

    [Fact]
    public void The_area_ratio_is_the_share_of_the_cell_inside_the_box()
    {
        // A 20×10 cell whose left half lies in a 10×10 box.
        double[] cell = [0, 0, 0, 10, 20, 10, 20, 0];
        var target = MaskTargets.Rasterize([cell], 0, 0, 10, 10);
        Assert.Equal(0.5, target.AreaRatio, 12);
        Assert.All(target.Mask, v => Assert.Equal(1f, v)); // the box is all cell

        // Boxes with fractional sizes reach pycocotools truncated (7.9 → 7): 7 × 10 of the 200 pixels.
        Assert.Equal(70.0 / 200, MaskTargets.Rasterize([cell], 0, 0, 7.9f, 10.5f).AreaRatio, 12);
    }

    [Fact]
    public async Task A_real_livecell_cell_matches_its_full_resolution_mask_sampled_in_the_box()
    {
        var dataset = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var checkedCells = 0;
        foreach (var annotation in dataset.Annotations.Where(a => a.Segmentation is PolygonSegmentation).Take(40))
        {
            var image = dataset.FindImage(annotation.ImageId)!;
            var polygons = ((PolygonSegmentation)annotation.Segmentation).Polygons;
            var full = Rle.FromPolygons(polygons, image.Height, image.Width).Decode();

            // A proposal box a little larger than the cell, with fractional corners, as FCOS would give.
            var bb = annotation.Bbox;
            float x1 = (float)bb.X - 2.3f, y1 = (float)bb.Y - 1.7f;
            float x2 = (float)(bb.X + bb.Width) + 1.9f, y2 = (float)(bb.Y + bb.Height) + 2.6f;
            var target = MaskTargets.Rasterize(polygons, x1, y1, x2, y2);

            // Independent route: sample the full-resolution mask at each target pixel's centre.
            var agree = 0;
            for (var y = 0; y < 28; y++)
            {
                for (var x = 0; x < 28; x++)
                {
                    var px = (int)Math.Floor(x1 + (x + 0.5) * (x2 - x1) / 28);
                    var py = (int)Math.Floor(y1 + (y + 0.5) * (y2 - y1) / 28);
                    var on = px >= 0 && py >= 0 && px < full.Width && py < full.Height && full[px, py] != 0;
                    agree += (on ? 1f : 0f) == target.Mask[y * 28 + x] ? 1 : 0;
                }
            }

            Assert.True(agree >= 0.9 * 784, $"annotation {annotation.Id}: only {agree} of 784 pixels agree");
            Assert.True(target.Mask.Sum() > 0.2 * 784, $"annotation {annotation.Id}: the cell should fill much of its box");
            Assert.InRange(target.AreaRatio, 0.9, 1.0); // the box holds the whole cell (rasterised vs shoelace area)
            checkedCells++;
        }

        Assert.Equal(40, checkedCells);
    }

    [Fact]
    public void Batches_become_mask_and_ratio_tensors()
    {
        double[] cell = [0, 0, 0, 10, 20, 10, 20, 0];
        var (masks, ratios) = MaskTargets.Build([[cell], [cell]], tensor(new float[] { 0, 0, 10, 10, 0, 0, 20, 10 }, [2, 4]));
        using (masks)
        using (ratios)
        {
            Assert.Equal(new long[] { 2, 28, 28 }, masks.shape);
            Assert.Equal(new[] { 0.5f, 1f }, ratios.data<float>().ToArray());
        }
    }
}
