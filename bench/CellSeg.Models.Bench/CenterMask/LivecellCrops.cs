using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Bench.CenterMask;

/// <summary>
/// Square crops of LIVECell sample images around their densest cells, in memory: the pixels, and each cell whose
/// polygons keep some area after clipping to the window, shifted into it (box = the clipped polygons' extent).
/// </summary>
internal static class LivecellCrops
{
    /// <summary>Huh7 (large cells) and BT474 (small, dense cells) from the validation sample, as the model tests use.</summary>
    public static readonly long[] DefaultImageIds = [1037332, 100601];

    public static async Task<IReadOnlyList<CenterMaskSample>> LoadAsync(string shared, int size, IReadOnlyList<long> imageIds)
    {
        var sample = Path.Combine(shared, "data", "livecell-sample");
        var coco = await CocoReader.LoadAsync(Path.Combine(sample, "annotations", "livecell_coco_val.json"));
        var result = new List<CenterMaskSample>();
        foreach (var id in imageIds)
        {
            var record = coco.FindImage(id) ?? throw new ArgumentException($"image {id} is not in the LIVECell sample's validation annotations");
            var gray = await GrayImageIO.ReadAsync(Path.Combine(sample, "images", "livecell_train_val_images", record.FileName));
            var cells = coco.AnnotationsOf(id).Where(a => a.Segmentation is PolygonSegmentation && !a.IsCrowd).ToList();

            // The window (on a 16-pixel grid) holding the most whole cells.
            var best = (X: 0, Y: 0, Count: -1);
            for (var y = 0; y + size <= record.Height; y += 16)
            {
                for (var x = 0; x + size <= record.Width; x += 16)
                {
                    var inside = cells.Count(a => a.Bbox.X >= x && a.Bbox.Y >= y && a.Bbox.X + a.Bbox.Width <= x + size && a.Bbox.Y + a.Bbox.Height <= y + size);
                    if (inside > best.Count)
                    {
                        best = (x, y, inside);
                    }
                }
            }

            var pixels = new float[size * size];
            for (var r = 0; r < size; r++)
            {
                for (var c = 0; c < size; c++)
                {
                    pixels[r * size + c] = gray[best.X + c, best.Y + r];
                }
            }

            var boxes = new List<float>();
            var polygons = new List<IReadOnlyList<double[]>>();
            foreach (var cell in cells)
            {
                var kept = ((PolygonSegmentation)cell.Segmentation).Polygons
                    .Select(p => Clip(p, best.X, best.Y, size))
                    .Where(p => p.Length >= 6 && Math.Abs(Area(p)) >= 12)
                    .ToArray();
                if (kept.Length == 0)
                {
                    continue;
                }

                var xs = kept.SelectMany(p => p.Where((_, i) => i % 2 == 0)).ToArray();
                var ys = kept.SelectMany(p => p.Where((_, i) => i % 2 == 1)).ToArray();
                boxes.AddRange([(float)xs.Min(), (float)ys.Min(), (float)xs.Max(), (float)ys.Max()]);
                polygons.Add(kept);
            }

            result.Add(new CenterMaskSample(tensor(pixels, [size, size]), tensor(boxes.ToArray(), [polygons.Count, 4]),
                zeros(polygons.Count, dtype: ScalarType.Int64), polygons));
        }

        return result;
    }

    // Sutherland–Hodgman against the window [0, size]², after shifting by (x0, y0).
    private static double[] Clip(double[] polygon, double x0, double y0, int size)
    {
        var points = new List<(double X, double Y)>();
        for (var i = 0; i + 1 < polygon.Length; i += 2)
        {
            points.Add((polygon[i] - x0, polygon[i + 1] - y0));
        }

        points = ClipEdge(points, p => p.X >= 0, (a, b) => Lerp(a, b, (0 - a.X) / (b.X - a.X)));
        points = ClipEdge(points, p => p.X <= size, (a, b) => Lerp(a, b, (size - a.X) / (b.X - a.X)));
        points = ClipEdge(points, p => p.Y >= 0, (a, b) => Lerp(a, b, (0 - a.Y) / (b.Y - a.Y)));
        points = ClipEdge(points, p => p.Y <= size, (a, b) => Lerp(a, b, (size - a.Y) / (b.Y - a.Y)));
        return points.SelectMany(p => new[] { p.X, p.Y }).ToArray();
    }

    private static (double X, double Y) Lerp((double X, double Y) a, (double X, double Y) b, double t) =>
        (a.X + t * (b.X - a.X), a.Y + t * (b.Y - a.Y));

    private static List<(double X, double Y)> ClipEdge(List<(double X, double Y)> points, Func<(double X, double Y), bool> inside,
        Func<(double X, double Y), (double X, double Y), (double X, double Y)> cross)
    {
        var result = new List<(double X, double Y)>();
        for (var i = 0; i < points.Count; i++)
        {
            var current = points[i];
            var previous = points[(i + points.Count - 1) % points.Count];
            if (inside(current))
            {
                if (!inside(previous))
                {
                    result.Add(cross(previous, current));
                }

                result.Add(current);
            }
            else if (inside(previous))
            {
                result.Add(cross(previous, current));
            }
        }

        return result;
    }

    private static double Area(double[] p)
    {
        double sum = 0;
        var n = p.Length / 2;
        for (var i = 0; i < n; i++)
        {
            var j = (i + 1) % n;
            sum += p[2 * i] * p[2 * j + 1] - p[2 * j] * p[2 * i + 1];
        }

        return sum / 2;
    }
}
