using CellSeg.Data.Masks;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Mask-head targets made directly from a cell's polygons, the way detectron2's <c>rasterize_polygons_within_box</c>
/// does it (shift to the box origin, scale by M / max(w, 0.1) and M / max(h, 0.1), polygon → RLE → merge → decode),
/// through CellSeg.Data's pycocotools-exact <see cref="Rle.FromPolygons"/>: the same rasteriser the evaluator uses.
/// </summary>
public static class MaskTargets
{
    /// <summary>Rasterises one cell inside one box.</summary>
    /// <param name="polygons">The cell's polygons [x1, y1, x2, y2, …] in image pixels.</param>
    /// <param name="x1">Box left, image pixels.</param>
    /// <param name="y1">Box top.</param>
    /// <param name="x2">Box right.</param>
    /// <param name="y2">Box bottom.</param>
    /// <param name="size">Mask side M (28).</param>
    public static MaskTarget Rasterize(IReadOnlyList<double[]> polygons, float x1, float y1, float x2, float y2, int size = 28)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);

        // Box arithmetic in float32 as detectron2 does on the proposal tensor; polygon arithmetic in float64.
        var w = x2 - x1;
        var h = y2 - y1;
        var ratioW = (double)(size / MathF.Max(w, 0.1f));
        var ratioH = (double)(size / MathF.Max(h, 0.1f));
        var scaled = new double[polygons.Count][];
        var shifted = new double[polygons.Count][];
        for (var i = 0; i < polygons.Count; i++)
        {
            var p = polygons[i];
            var s = new double[p.Length];
            var t = new double[p.Length];
            for (var j = 0; j < p.Length; j++)
            {
                var even = j % 2 == 0;
                t[j] = p[j] - (even ? x1 : y1);
                s[j] = t[j] * (even ? ratioW : ratioH);
            }

            scaled[i] = s;
            shifted[i] = t;
        }

        var decoded = Rle.FromPolygons(scaled, size, size).Decode();
        var mask = new float[size * size];
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = decoded.Data[i] != 0 ? 1f : 0f;
        }

        return new MaskTarget(size, mask, AreaRatio(polygons, shifted, (int)h, (int)w));
    }

    /// <summary>
    /// Targets for a batch of foreground RoIs as tensors: masks [N, M, M] (float32 0/1) and area ratios [N].
    /// </summary>
    /// <param name="cells">The matched cell's polygons for each RoI.</param>
    /// <param name="boxes">[N, 4] proposal boxes (x1, y1, x2, y2), image pixels.</param>
    /// <param name="size">Mask side M (28).</param>
    public static (Tensor Masks, Tensor AreaRatios) Build(IReadOnlyList<IReadOnlyList<double[]>> cells, Tensor boxes, int size = 28)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(boxes);
        if (boxes.dim() != 2 || boxes.shape[1] != 4 || boxes.shape[0] != cells.Count)
        {
            throw new ArgumentException($"boxes must be [{cells.Count}, 4], got [{string.Join(", ", boxes.shape)}]", nameof(boxes));
        }

        float[] b;
        using (var cpu = boxes.detach().to(ScalarType.Float32, CPU).contiguous())
        {
            b = cpu.data<float>().ToArray();
        }

        var masks = new float[cells.Count * size * size];
        var ratios = new float[cells.Count];
        for (var i = 0; i < cells.Count; i++)
        {
            var target = Rasterize(cells[i], b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3], size);
            Array.Copy(target.Mask, 0, masks, i * size * size, size * size);
            ratios[i] = (float)target.AreaRatio;
        }

        return (tensor(masks, [cells.Count, size, size]), tensor(ratios));
    }

    // centermask2: area(frPyObjects(shifted polygons, box h, box w)).sum() / PolygonMasks.area(), clamped to [0, 1].
    // The sizes reach pycocotools as integers (truncated); the parts' areas are summed, not merged.
    private static double AreaRatio(IReadOnlyList<double[]> polygons, double[][] shifted, int height, int width)
    {
        double full = 0;
        foreach (var p in polygons)
        {
            full += ShoelaceArea(p);
        }

        if (full <= 0 || height <= 0 || width <= 0)
        {
            return 0;
        }

        double inside = 0;
        foreach (var p in shifted)
        {
            inside += Rle.FromPolygon(p, height, width).Area;
        }

        return Math.Clamp(inside / full, 0, 1);
    }

    private static double ShoelaceArea(double[] xy)
    {
        var n = xy.Length / 2;
        double sum = 0;
        for (var i = 0; i < n; i++)
        {
            var j = (i + n - 1) % n;
            sum += xy[2 * i] * xy[2 * j + 1] - xy[2 * i + 1] * xy[2 * j];
        }

        return 0.5 * Math.Abs(sum);
    }
}
