using CellSeg.Data.Coco;

namespace CellSeg.Synthesis;

/// <summary>Cuts one annotated cell out of its image, walking the annotation's RLE runs (no full-image mask per cell).</summary>
internal static class CellCutter
{
    /// <summary>
    /// The cell's patch and mask in its bounding box (null for an empty mask), whether the mask touches
    /// the image border; every mask pixel is also set to 1 in <paramref name="union"/> (row-major). With a
    /// <paramref name="haloWidth"/>, the cell also gets its halo ring (pixels of <paramref name="union"/> left out).
    /// </summary>
    public static (BankCell? Cell, bool TouchesBorder) Cut(CocoAnnotation annotation, string cellType, byte[] pixels, int w, int h, byte[] union, int haloWidth = 0, byte backgroundLevel = 128)
    {
        var rle = annotation.Segmentation.ToRle(h, w);
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        foreach (var (x, y) in rle.ForegroundPixels())
        {
            union[y * w + x] = 1;
            x0 = Math.Min(x0, x);
            x1 = Math.Max(x1, x);
            y0 = Math.Min(y0, y);
            y1 = Math.Max(y1, y);
        }

        if (x1 < 0)
        {
            return (null, false);
        }

        int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
        var patch = new byte[cw * ch];
        var mask = new byte[cw * ch];
        for (var y = 0; y < ch; y++)
        {
            Array.Copy(pixels, (y + y0) * w + x0, patch, y * cw, cw);
        }

        var area = 0;
        foreach (var (x, y) in rle.ForegroundPixels())
        {
            mask[(y - y0) * cw + x - x0] = 1;
            area++;
        }

        var touches = x0 == 0 || y0 == 0 || x1 == w - 1 || y1 == h - 1;
        // The halo needs every cell of the image in the union (the caller marks them all first), so no
        // neighbour's pixels become this cell's rim.
        var halo = haloWidth > 0 ? CellHalo.Cut(haloWidth, backgroundLevel, pixels, w, h, union, x0, y0, mask, cw, ch) : null;
        return (new BankCell(cellType, cw, ch, patch, mask, area, annotation.ImageId, annotation.Id) { Halo = halo }, touches);
    }
}
