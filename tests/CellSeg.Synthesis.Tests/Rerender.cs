namespace CellSeg.Synthesis.Tests;

/// <summary>
/// An independent, deliberately plain re-implementation of pasting: for every placement in order, every
/// pixel of a generous box is mapped with the documented formula of <see cref="CellPlacement"/>
/// (64-bit arithmetic, no increments), painting labels and values.
/// </summary>
internal static class Rerender
{
    public sealed record Result(ushort[] Labels, byte[] Pixels, int[] Footprint, int[] InImage, int[] CoveredAtPaste);

    public static Result Run(ComposedImage image, CellBank bank, string cellType, bool halo = false)
    {
        int w = image.Width, h = image.Height;
        var pixels = new byte[w * h];
        BackgroundRenderer.Render(bank.BackgroundsOf(cellType)[image.BackgroundIndex], image.BackgroundFlips, image.BackgroundOffsetX, image.BackgroundOffsetY, pixels, w, h);
        var labels = new ushort[w * h];
        var n = image.Placements.Count;
        var footprint = new int[n + 1];
        var inImage = new int[n + 1];
        var covered = new int[n + 1];
        foreach (var p in image.Placements)
        {
            var c = p.Cell;
            var r = c.Width + c.Height;
            for (var y = p.CenterY - r; y <= p.CenterY + r; y++)
            {
                for (var x = p.CenterX - r; x <= p.CenterX + r; x++)
                {
                    long dx = x - p.CenterX, dy = y - p.CenterY;
                    var sx = (p.Cos * dx + p.Sin * dy + c.Width * 32768L) >> 16;
                    var sy = (-p.Sin * dx + p.Cos * dy + c.Height * 32768L) >> 16;
                    if (sx < 0 || sx >= c.Width || sy < 0 || sy >= c.Height)
                    {
                        continue;
                    }

                    if (p.Flip)
                    {
                        sx = c.Width - 1 - sx;
                    }

                    var k = (int)(sy * c.Width + sx);
                    if (c.Mask[k] == 0)
                    {
                        continue;
                    }

                    footprint[p.Label]++;
                    if (x < 0 || y < 0 || x >= w || y >= h)
                    {
                        continue;
                    }

                    inImage[p.Label]++;
                    if (labels[y * w + x] != 0)
                    {
                        covered[p.Label]++;
                    }

                    labels[y * w + x] = (ushort)p.Label;
                    pixels[y * w + x] = c.Pixels[k];
                }
            }

            if (halo && c.Halo is { } ring)
            {
                PaintHalo(p, ring, labels, pixels, w, h);
            }
        }

        return new Result(labels, pixels, footprint, inImage, covered);
    }

    /// <summary>The halo as documented on <see cref="CellHalo"/>: background pixels only, background + weight × (source − level), rounded half away from zero.</summary>
    private static void PaintHalo(CellPlacement p, CellHalo ring, ushort[] labels, byte[] pixels, int w, int h)
    {
        var c = p.Cell;
        int m = ring.Margin, gw = c.Width + 2 * m, r = c.Width + c.Height + 2 * m;
        for (var y = Math.Max(0, p.CenterY - r); y <= Math.Min(h - 1, p.CenterY + r); y++)
        {
            for (var x = Math.Max(0, p.CenterX - r); x <= Math.Min(w - 1, p.CenterX + r); x++)
            {
                long dx = x - p.CenterX, dy = y - p.CenterY;
                var sx = (p.Cos * dx + p.Sin * dy + c.Width * 32768L) >> 16;
                var sy = (-p.Sin * dx + p.Cos * dy + c.Height * 32768L) >> 16;
                if (p.Flip)
                {
                    sx = c.Width - 1 - sx;
                }

                if (sx < -m || sy < -m || sx >= c.Width + m || sy >= c.Height + m || labels[y * w + x] != 0)
                {
                    continue;
                }

                var g = (int)((sy + m) * gw + sx + m);
                var shift = (ring.Pixels[g] - ring.Level) * ring.Weight[g] / 255.0;
                pixels[y * w + x] = (byte)Math.Clamp(pixels[y * w + x] + (int)Math.Round(shift, MidpointRounding.AwayFromZero), 0, 255);
            }
        }
    }
}
