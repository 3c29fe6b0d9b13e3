using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;

namespace CellSeg.Data.Baselines;

/// <summary>A found cell: its mask and a confidence in (0, 1].</summary>
public sealed record SegmentedCell(Rle Mask, double Score);

/// <summary>Settings of <see cref="ContrastSegmenter"/>.</summary>
public sealed record ContrastSegmenterOptions
{
    /// <summary>Half-size of the square window for local contrast, in pixels.</summary>
    public int WindowRadius { get; init; } = 2;

    /// <summary>A pixel is foreground when its local standard deviation exceeds this many noise levels.</summary>
    public double ContrastThreshold { get; init; } = 2.2;

    /// <summary>Components smaller than this (px²) are dropped as noise.</summary>
    public int MinArea { get; init; } = 15;
}

/// <summary>
/// A classical, training-free baseline: phase-contrast cells are textured and haloed while the
/// background is flat, so pixels with high local contrast (relative to the image's own noise level)
/// are foreground; small gaps are closed, holes filled, and each connected component becomes one
/// instance. Touching cells merge, which is why learned models beat it; it gives the quickstart a
/// real segmenter to evaluate and every model a floor to beat.
/// </summary>
public static class ContrastSegmenter
{
    /// <summary>Segments one 8- or 16-bit image.</summary>
    public static IReadOnlyList<SegmentedCell> Segment(GrayImage image, ContrastSegmenterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= new ContrastSegmenterOptions();
        int w = image.Width, h = image.Height;
        var values = new double[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                values[y * w + x] = image[x, y];
            }
        }

        var std = LocalStd(values, w, h, options.WindowRadius);
        var noise = Median(std) + 1e-6;
        var foreground = new BinaryMask(h, w);
        for (var i = 0; i < std.Length; i++)
        {
            if (std[i] > options.ContrastThreshold * noise)
            {
                foreground.Data[i] = 1;
            }

        }

        foreground = Erode(Dilate(foreground));
        FillHoles(foreground);

        // The contrast window reaches past a cell's edge (into its halo) by its radius; shrink it back.
        for (var i = 0; i < options.WindowRadius; i++)
        {
            foreground = Erode(foreground);
        }

        var cells = new List<SegmentedCell>();
        foreach (var instance in ComponentLabels.Find(foreground).ToInstances<double>(std, options.MinArea))
        {
            // Mean contrast in noise units, squashed into (0, 1): c / (c + 2) is 0.5 at twice the noise level.
            var c = instance.MeanValue / noise;
            var score = Math.Clamp(c / (c + 2), 0.01, 1.0);
            cells.Add(new SegmentedCell(instance.Mask, Math.Round(score, 4)));
        }

        return cells;
    }

    /// <summary>Standard deviation in a (2r+1)² window, from integral images of the values and their squares.</summary>
    private static double[] LocalStd(double[] v, int w, int h, int r)
    {
        var s = new double[(w + 1) * (h + 1)];
        var s2 = new double[(w + 1) * (h + 1)];
        for (var y = 0; y < h; y++)
        {
            double row = 0, row2 = 0;
            for (var x = 0; x < w; x++)
            {
                var value = v[y * w + x];
                row += value;
                row2 += value * value;
                s[(y + 1) * (w + 1) + x + 1] = s[y * (w + 1) + x + 1] + row;
                s2[(y + 1) * (w + 1) + x + 1] = s2[y * (w + 1) + x + 1] + row2;
            }
        }

        var result = new double[w * h];
        for (var y = 0; y < h; y++)
        {
            int y0 = Math.Max(0, y - r), y1 = Math.Min(h, y + r + 1);
            for (var x = 0; x < w; x++)
            {
                int x0 = Math.Max(0, x - r), x1 = Math.Min(w, x + r + 1);
                double n = (y1 - y0) * (x1 - x0);
                var sum = s[y1 * (w + 1) + x1] - s[y0 * (w + 1) + x1] - s[y1 * (w + 1) + x0] + s[y0 * (w + 1) + x0];
                var sum2 = s2[y1 * (w + 1) + x1] - s2[y0 * (w + 1) + x1] - s2[y1 * (w + 1) + x0] + s2[y0 * (w + 1) + x0];
                result[y * w + x] = Math.Sqrt(Math.Max(0, sum2 / n - sum / n * (sum / n)));
            }
        }

        return result;
    }

    private static double Median(double[] values)
    {
        var copy = (double[])values.Clone();
        Array.Sort(copy);
        return copy[copy.Length / 2];
    }

    private static BinaryMask Dilate(BinaryMask m) => Morph(m, any: true);

    private static BinaryMask Erode(BinaryMask m) => Morph(m, any: false);

    /// <summary>3×3 dilation (any neighbour set) or erosion (all neighbours set; outside counts as set).</summary>
    private static BinaryMask Morph(BinaryMask m, bool any)
    {
        var result = new BinaryMask(m.Height, m.Width);
        for (var y = 0; y < m.Height; y++)
        {
            for (var x = 0; x < m.Width; x++)
            {
                var hit = !any;
                for (var dy = -1; dy <= 1 && hit != any; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        var set = nx < 0 || ny < 0 || nx >= m.Width || ny >= m.Height ? !any : m[nx, ny] != 0;
                        if (set == any)
                        {
                            hit = any;
                            break;
                        }
                    }
                }

                result[x, y] = (byte)(hit ? 1 : 0);
            }
        }

        return result;
    }

    /// <summary>Sets every background pixel that cannot reach the image border through background.</summary>
    private static void FillHoles(BinaryMask m)
    {
        int w = m.Width, h = m.Height;
        var outside = new bool[w * h];
        var stack = new Stack<int>();
        for (var x = 0; x < w; x++)
        {
            Push(x, 0);
            Push(x, h - 1);
        }

        for (var y = 0; y < h; y++)
        {
            Push(0, y);
            Push(w - 1, y);
        }

        while (stack.Count > 0)
        {
            var i = stack.Pop();
            int x = i % w, y = i / w;
            Push(x + 1, y);
            Push(x - 1, y);
            Push(x, y + 1);
            Push(x, y - 1);
        }

        for (var i = 0; i < outside.Length; i++)
        {
            if (!outside[i])
            {
                m.Data[i] = 1;
            }
        }

        void Push(int x, int y)
        {
            if (x < 0 || y < 0 || x >= w || y >= h)
            {
                return;
            }

            var i = y * w + x;
            if (outside[i] || m.Data[i] != 0)
            {
                return;
            }

            outside[i] = true;
            stack.Push(i);
        }
    }
}
