using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using CellSeg.Metrics.RunReports;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CellSeg.Metrics.Tests.RunReports;

public sealed class MaskOverlayTests
{
    private static Rle Box(int x0, int y0, int x1, int y1, int size = 16)
    {
        var mask = new BinaryMask(size, size);
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                mask[x, y] = 1;
            }
        }

        return Rle.Encode(mask);
    }

    [Fact]
    public void Matched_detections_are_green_false_positives_magenta_and_missed_cells_yellow()
    {
        var image = GrayImage.Create8(16, 16);
        Array.Fill(image.Pixels8, (byte)100);
        // Cell A found exactly; cell B only by a detection shifted so that IoU = 4·2/(4·4 + 4·4 − 8) = 1/3 < 0.5.
        var cellA = Box(1, 1, 5, 5);
        var cellB = Box(9, 9, 13, 13);
        var shifted = Box(11, 9, 15, 13);
        var (overlay, counts) = MaskOverlay.Render(image, [cellA, cellB], [(cellA, 0.9), (shifted, 0.8)]);
        using (overlay)
        {
            Assert.Equal(new OverlayCounts(1, 1, 1), counts);
            var grey = new Rgb24(100, 100, 100);
            Assert.Equal(grey, overlay[0, 0]);
            Assert.Equal(grey, overlay[7, 7]);
            // Outlines in the pure colour, insides tinted 35 % over the grey.
            Assert.Equal(MaskOverlay.TruePositive, overlay[1, 1]);
            Assert.Equal(new Rgb24(65, 135, 65), overlay[2, 2]);
            Assert.Equal(MaskOverlay.FalseNegative, overlay[9, 9]);
            Assert.Equal(new Rgb24(154, 146, 65), overlay[10, 10]);
            Assert.Equal(MaskOverlay.FalsePositive, overlay[14, 12]);
            Assert.Equal(new Rgb24(154, 65, 154), overlay[13, 10]);
            // Where the false positive covers the missed cell, it is drawn last: its outline wins.
            Assert.Equal(MaskOverlay.FalsePositive, overlay[11, 9]);
        }
    }

    [Fact]
    public void A_semantic_masks_components_are_its_cells_and_are_coloured_by_the_same_rule()
    {
        // The mask: cell A exactly (matched), a blob where no cell is (a false positive), nothing on cell B (missed), and
        // cells C and D, 3×3 each and touching, as one 6×3 component: IoU 9/18 = 0.5 with each, so it takes one, the other is missed.
        var mask = GrayImage.Create8(16, 16);
        void Fill(int x0, int y0, int x1, int y1)
        {
            for (var y = y0; y < y1; y++)
            {
                for (var x = x0; x < x1; x++)
                {
                    mask.Pixels8[y * 16 + x] = 255;
                }
            }
        }

        Fill(1, 1, 5, 5);      // = cell A
        Fill(9, 1, 12, 4);     // no cell here
        Fill(1, 9, 7, 12);     // cells C and D
        var cells = MaskOverlay.Cells(mask);
        Assert.All(cells, c => Assert.Equal(1.0, c.Score));
        Assert.Equal([9L, 16L, 18L], cells.Select(c => c.Mask.Area).Order());

        var image = GrayImage.Create8(16, 16);
        Array.Fill(image.Pixels8, (byte)100);
        var cellA = Box(1, 1, 5, 5);
        var cellB = Box(9, 9, 13, 13);
        var cellC = Box(1, 9, 4, 12);
        var cellD = Box(4, 9, 7, 12);
        var (overlay, counts) = MaskOverlay.Render(image, [cellA, cellB, cellC, cellD], cells);
        using (overlay)
        {
            Assert.Equal(new OverlayCounts(2, 1, 2), counts);      // A and one of C, D matched; the blob; B and the other missed
            Assert.Equal(MaskOverlay.TruePositive, overlay[1, 1]);
            Assert.Equal(new Rgb24(65, 135, 65), overlay[2, 2]);
            Assert.Equal(MaskOverlay.FalsePositive, overlay[9, 1]);
            Assert.Equal(MaskOverlay.FalseNegative, overlay[12, 12]);
            Assert.Equal(MaskOverlay.TruePositive, overlay[1, 9]);  // the component is drawn green over both cells
            Assert.Equal(MaskOverlay.TruePositive, overlay[6, 11]);
            Assert.Equal(new Rgb24(100, 100, 100), overlay[14, 6]);
        }
    }

    [Fact]
    public void Higher_scores_match_first_and_a_cell_takes_one_detection()
    {
        var cell = Box(2, 2, 8, 8);
        var (match, matched) = MaskOverlay.Match([cell], [(cell, 0.2), (Box(2, 2, 8, 7), 0.9)]);
        Assert.Equal([-1, 0], match);
        Assert.Equal([true], matched);
    }

    [Fact]
    public void A_sheet_shrinks_large_panels_and_keeps_small_ones()
    {
        using var big = new Image<Rgb24>(400, 200, new Rgb24(0, 200, 0));
        using var small = new Image<Rgb24>(50, 40, new Rgb24(255, 0, 255));
        var png = MaskOverlay.SheetPng([big, small], 100);
        using var sheet = Image.Load<Rgb24>(png);
        Assert.Equal(100 + 4 + 50, sheet.Width);
        Assert.Equal(50, sheet.Height);
        Assert.Equal(new Rgb24(0, 200, 0), sheet[10, 10]);
        Assert.Equal(new Rgb24(255, 0, 255), sheet[110, 10]);
        Assert.Equal(new Rgb24(255, 255, 255), sheet[110, 45]);
    }
}
