namespace CellSeg.Synthesis.Diagnostics;

/// <summary>
/// Signed distance to the cell boundary in pixels, by a 3-4 chamfer transform (within ~8 % of the Euclidean
/// distance): negative inside a cell (−1 on its outermost pixels), positive outside (+1 next to a cell).
/// Clipped at ±<c>cap</c>; an image without cells (or without background) is at +cap (−cap) everywhere.
/// </summary>
internal static class BoundaryDistance
{
    public static int[] Signed(ushort[] labels, int w, int h, int cap)
    {
        var outside = Chamfer(labels, w, h, cell: true, cap);
        var inside = Chamfer(labels, w, h, cell: false, cap);
        var signed = new int[labels.Length];
        for (var i = 0; i < signed.Length; i++)
        {
            signed[i] = labels[i] != 0 ? -Math.Max(1, inside[i]) : Math.Max(1, outside[i]);
        }

        return signed;
    }

    /// <summary>Distance (rounded pixels, at most cap) of every pixel to the nearest pixel that is a cell (or, with cell false, that is background).</summary>
    private static int[] Chamfer(ushort[] labels, int w, int h, bool cell, int cap)
    {
        var far = 3 * cap + 3;
        var d = new int[labels.Length];
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = (labels[i] != 0) == cell ? 0 : far;
        }

        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = y * w + x;
                var v = d[i];
                if (v == 0)
                {
                    continue;
                }

                if (x > 0) v = Math.Min(v, d[i - 1] + 3);
                if (y > 0)
                {
                    v = Math.Min(v, d[i - w] + 3);
                    if (x > 0) v = Math.Min(v, d[i - w - 1] + 4);
                    if (x < w - 1) v = Math.Min(v, d[i - w + 1] + 4);
                }

                d[i] = v;
            }
        }

        for (var y = h - 1; y >= 0; y--)
        {
            for (var x = w - 1; x >= 0; x--)
            {
                var i = y * w + x;
                var v = d[i];
                if (v == 0)
                {
                    continue;
                }

                if (x < w - 1) v = Math.Min(v, d[i + 1] + 3);
                if (y < h - 1)
                {
                    v = Math.Min(v, d[i + w] + 3);
                    if (x < w - 1) v = Math.Min(v, d[i + w + 1] + 4);
                    if (x > 0) v = Math.Min(v, d[i + w - 1] + 4);
                }

                d[i] = v;
            }
        }

        for (var i = 0; i < d.Length; i++)
        {
            d[i] = Math.Min(cap, (d[i] + 1) / 3);
        }

        return d;
    }
}
