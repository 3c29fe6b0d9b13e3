using System.Numerics;

namespace CellSeg.Data.Masks;

/// <summary>
/// 8-connected components of a mask, numbered 1, 2, … in the raster order (row by row) of each
/// component's first pixel; 0 is background.
/// </summary>
/// <remarks>
/// Turning a foreground mask into instances (one per component, scored by a per-pixel value such as a
/// probability or a local contrast) is <see cref="ToInstances{T}"/>: the one place segmenters do it.
/// </remarks>
public sealed class ComponentLabels
{
    private static readonly (int Dx, int Dy)[] Neighbours =
        [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)];

    private ComponentLabels(int[] labels, int[] firstPixels, int height, int width)
    {
        Labels = labels;
        FirstPixels = firstPixels;
        Height = height;
        Width = width;
    }

    /// <summary>Label per pixel, row-major.</summary>
    public int[] Labels { get; }

    /// <summary>Row-major index of the first pixel (in raster order) of component i + 1.</summary>
    public int[] FirstPixels { get; }

    /// <summary>Number of components.</summary>
    public int Count => FirstPixels.Length;

    /// <summary>Height of the mask, in pixels.</summary>
    public int Height { get; }

    /// <summary>Width of the mask, in pixels.</summary>
    public int Width { get; }

    /// <summary>Labels the 8-connected components of <paramref name="mask"/>.</summary>
    public static ComponentLabels Find(BinaryMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
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

        return new ComponentLabels(labels, [.. firstPixels], h, w);
    }

    /// <summary>
    /// One instance per component of at least <paramref name="minArea"/> pixels, in label order: its mask
    /// as COCO RLE, its area and the mean of <paramref name="values"/> over its pixels (summed in raster
    /// order, in double precision), from which a segmenter makes its score.
    /// </summary>
    /// <param name="values">A value per pixel, row-major, as many as the mask has pixels.</param>
    /// <param name="minArea">Smaller components are dropped.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> has another length than the mask.</exception>
    public IReadOnlyList<ComponentInstance> ToInstances<T>(ReadOnlySpan<T> values, int minArea)
        where T : INumberBase<T>
    {
        if (values.Length != Labels.Length)
        {
            throw new ArgumentException($"{values.Length} values for a {Width}×{Height} mask", nameof(values));
        }

        int w = Width, h = Height;
        var pixels = new List<int>?[Count + 1];
        var sums = new double[Count + 1];
        for (var i = 0; i < Labels.Length; i++)
        {
            var l = Labels[i];
            if (l > 0)
            {
                (pixels[l] ??= []).Add(i);
                sums[l] += double.CreateTruncating(values[i]);
            }
        }

        var instances = new List<ComponentInstance>();
        for (var l = 1; l <= Count; l++)
        {
            var list = pixels[l];
            if (list is null || list.Count < minArea)
            {
                continue;
            }

            // RLE runs down columns: row-major i = y·w + x becomes x·h + y.
            var positions = list.Select(i => i % w * h + i / w).Order().ToArray();
            instances.Add(new ComponentInstance(Rle.FromSortedPositions(positions, h, w), list.Count, sums[l] / list.Count));
        }

        return instances;
    }
}

/// <summary>One component of a mask as an instance (see <see cref="ComponentLabels.ToInstances{T}"/>).</summary>
/// <param name="Mask">Its pixels, as COCO RLE.</param>
/// <param name="Area">Its number of pixels.</param>
/// <param name="MeanValue">The mean of the per-pixel values over it.</param>
public sealed record ComponentInstance(Rle Mask, int Area, double MeanValue);
