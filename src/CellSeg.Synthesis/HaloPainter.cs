namespace CellSeg.Synthesis;

/// <summary>
/// Blends a pasted cell's halo (<see cref="CellHalo"/>) onto the background around it: each background pixel
/// the ring maps to (same integer mapping as the cell, see <see cref="CellPlacement"/>) becomes
/// background + weight × (source − source level). Only pixels no cell covers are touched, so labels and
/// annotations do not change; a cell pasted later covers the halo like any background.
/// </summary>
internal static class HaloPainter
{
    public static void Paint(ComposedImage image, CellPlacement p)
    {
        if (p.Cell.Halo is not { } halo)
        {
            return;
        }

        var cell = p.Cell;
        int w = image.Width, h = image.Height, m = halo.Margin, gw = cell.Width + 2 * m, gh = cell.Height + 2 * m;
        int ex = p.HalfExtentX + m + 1, ey = p.HalfExtentY + m + 1;
        var labels = image.Labels;
        var pixels = image.Pixels;
        for (var y = Math.Max(0, p.CenterY - ey); y <= Math.Min(h - 1, p.CenterY + ey); y++)
        {
            long dy = y - p.CenterY;
            for (var x = Math.Max(0, p.CenterX - ex); x <= Math.Min(w - 1, p.CenterX + ex); x++)
            {
                var i = y * w + x;
                if (labels[i] != 0)
                {
                    continue;
                }

                long dx = x - p.CenterX;
                var sx = (p.Cos * dx + p.Sin * dy + cell.Width * 32768L) >> 16;
                var sy = (-p.Sin * dx + p.Cos * dy + cell.Height * 32768L) >> 16;
                if (p.Flip)
                {
                    sx = cell.Width - 1 - sx;
                }

                long gx = sx + m, gy = sy + m;
                if (gx < 0 || gy < 0 || gx >= gw || gy >= gh)
                {
                    continue;
                }

                var g = (int)(gy * gw + gx);
                var weight = halo.Weight[g];
                if (weight == 0)
                {
                    continue;
                }

                var delta = (halo.Pixels[g] - halo.Level) * weight;
                pixels[i] = (byte)Math.Clamp(pixels[i] + (delta >= 0 ? (delta + 127) / 255 : -((-delta + 127) / 255)), 0, 255);
            }
        }
    }
}
