namespace CellSeg.Data.Masks;

/// <summary>
/// 8-connected components of a mask, numbered 1, 2, … in the raster order (row by row) of each
/// component's first pixel; 0 is background.
/// </summary>
internal sealed class ComponentLabels
{
    private static readonly (int Dx, int Dy)[] Neighbours =
        [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)];

    private ComponentLabels(int[] labels, int[] firstPixels)
    {
        Labels = labels;
        FirstPixels = firstPixels;
    }

    /// <summary>Label per pixel, row-major.</summary>
    public int[] Labels { get; }

    /// <summary>Row-major index of the first pixel (in raster order) of component i + 1.</summary>
    public int[] FirstPixels { get; }

    /// <summary>Number of components.</summary>
    public int Count => FirstPixels.Length;

    public static ComponentLabels Find(BinaryMask mask)
    {
        int w = mask.Width, h = mask.Height;
        var data = mask.Data;
        var labels = new int[data.Length];
        var firstPixels = new List<int>();
        var stack = new Stack<int>();
        for (var start = 0; start < data.Length; start++)
        {
            if (data[start] == 0 || labels[start] != 0)
            {
                continue;
            }

            firstPixels.Add(start);
            var label = firstPixels.Count;
            labels[start] = label;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var p = stack.Pop();
                int x = p % w, y = p / w;
                foreach (var (dx, dy) in Neighbours)
                {
                    int nx = x + dx, ny = y + dy;
                    if ((uint)nx >= (uint)w || (uint)ny >= (uint)h)
                    {
                        continue;
                    }

                    var q = ny * w + nx;
                    if (data[q] != 0 && labels[q] == 0)
                    {
                        labels[q] = label;
                        stack.Push(q);
                    }
                }
            }
        }

        return new ComponentLabels(labels, [.. firstPixels]);
    }
}
