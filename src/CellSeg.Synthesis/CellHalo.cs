namespace CellSeg.Synthesis;

/// <summary>
/// The phase-contrast halo of a bank cell: the source pixels in a ring up to <see cref="Margin"/> pixels outside
/// its mask, with a blend weight each. Pasting it carries the cell's bright rim and soft edge onto the new
/// background instead of a hard cut-out boundary. The arrays cover the cell's patch grown by the margin on
/// every side: (Width + 2·Margin) × (Height + 2·Margin), row-major, patch pixel (x, y) at (x + Margin, y + Margin).
/// </summary>
/// <param name="Margin">Width of the ring in pixels.</param>
/// <param name="Level">The source image's background level (median of its pixels farther than <see cref="CellBankOptions.BackgroundMargin"/> from every cell): the halo is pasted as its difference from this level.</param>
/// <param name="Pixels">Source gray values over the grown box.</param>
/// <param name="Weight">Blend weight ×255: 255 next to the cell, falling with the square of the distance to 255/Margin² at the ring's outer edge; 0 on the cell itself and beyond the ring. Ring pixels that lay on other cells or outside the source image hold the mean rim of the visible ring at the same distance.</param>
public sealed record CellHalo(int Margin, byte Level, byte[] Pixels, byte[] Weight)
{
    /// <summary>The halo of a cell whose patch starts at (<paramref name="x0"/>, <paramref name="y0"/>) in its image; null when the ring is empty.</summary>
    /// <remarks>The level is the image's, not the ring's own: in a dense colony the pixels around a cell are other cells' halos, and a local level would cancel the rim.</remarks>
    internal static CellHalo? Cut(int margin, byte level, byte[] pixels, int w, int h, byte[] union, int x0, int y0, byte[] mask, int cw, int ch)
    {
        int gw = cw + 2 * margin, gh = ch + 2 * margin;
        var own = new ushort[gw * gh];
        for (var y = 0; y < ch; y++)
        {
            for (var x = 0; x < cw; x++)
            {
                own[(y + margin) * gw + x + margin] = mask[y * cw + x];
            }
        }

        var distance = Diagnostics.BoundaryDistance.Signed(own, gw, gh, margin + 1);
        var halo = new byte[gw * gh];
        var weight = new byte[gw * gh];
        var sum = new double[margin + 1];
        var count = new int[margin + 1];
        var any = false;
        for (var gy = 0; gy < gh; gy++)
        {
            for (var gx = 0; gx < gw; gx++)
            {
                int sx = x0 - margin + gx, sy = y0 - margin + gy, g = gy * gw + gx, d = distance[g];
                if (d < 1 || d > margin || sx < 0 || sy < 0 || sx >= w || sy >= h || union[sy * w + sx] != 0)
                {
                    continue;
                }

                halo[g] = pixels[sy * w + sx];
                weight[g] = Weigh(d, margin);
                sum[d] += halo[g] - level;
                count[d]++;
                any = true;
            }
        }

        // Where the ring lies on a neighbouring cell (a dense colony), the cell's own rim at that distance is
        // unknown; it takes the mean rim of the ring's visible part, so a crowded cell is not pasted half bare.
        for (var g = 0; g < halo.Length; g++)
        {
            var d = distance[g];
            if (d >= 1 && d <= margin && weight[g] == 0 && count[d] > 0)
            {
                halo[g] = (byte)Math.Clamp((int)Math.Round(level + sum[d] / count[d]), 0, 255);
                weight[g] = Weigh(d, margin);
            }
        }

        return any ? new CellHalo(margin, level, halo, weight) : null;
    }

    // Falls off with the square of the distance: a linear ramp overshot the measured real profile 2 px out.
    private static byte Weigh(int d, int margin) => (byte)Math.Round(255.0 * Math.Pow((margin + 1.0 - d) / margin, 2));
}
