using System.Text.Json;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;

namespace CellSeg.Models.Tests.CenterMask;

/// <summary>
/// Small real training sets for CenterMask: square crops of LIVECell validation images around their densest cells,
/// each cell's polygons clipped to the crop and shifted into it, written as PNG images and a COCO file.
/// </summary>
internal static class LivecellCrops
{
    /// <summary>Writes the crops of <paramref name="imageIds"/> into a new folder; returns (annotations, images folder).</summary>
    public static async Task<(string Annotations, string Images)> WriteAsync(int size, params long[] imageIds)
    {
        var coco = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var folder = TestPaths.NewTempFolder();
        var images = new List<object>();
        var annotations = new List<object>();
        var nextId = 1;
        foreach (var id in imageIds)
        {
            var record = coco.FindImage(id) ?? throw new InvalidOperationException($"image {id} is not in the sample");
            var gray = await GrayImageIO.ReadAsync(Path.Combine(TestData.ValImages, record.FileName));
            var cells = coco.AnnotationsOf(id).Where(a => a.Segmentation is PolygonSegmentation).ToList();

            // The window (on a 16-pixel grid) that holds the most whole cells.
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

            var pixels = new byte[size * size];
            for (var r = 0; r < size; r++)
            {
                for (var c = 0; c < size; c++)
                {
                    pixels[r * size + c] = (byte)gray[best.X + c, best.Y + r];
                }
            }

            var fileName = Path.GetFileNameWithoutExtension(record.FileName) + "_crop.png";
            await GrayImageIO.WritePngAsync(new GrayImage(size, size, pixels), Path.Combine(folder, fileName));
            images.Add(new { id, file_name = fileName, width = size, height = size });
            foreach (var cell in cells)
            {
                var polygons = ((PolygonSegmentation)cell.Segmentation).Polygons
                    .Select(p => Clip(p, best.X, best.Y, size))
                    .Where(p => p.Length >= 6 && Math.Abs(Area(p)) >= 12)
                    .ToList();
                if (polygons.Count == 0)
                {
                    continue;
                }

                var xs = polygons.SelectMany(p => p.Where((_, i) => i % 2 == 0)).ToArray();
                var ys = polygons.SelectMany(p => p.Where((_, i) => i % 2 == 1)).ToArray();
                annotations.Add(new
                {
                    id = nextId++,
                    image_id = id,
                    category_id = 1,
                    segmentation = polygons,
                    area = polygons.Sum(p => Math.Abs(Area(p))),
                    bbox = new[] { xs.Min(), ys.Min(), xs.Max() - xs.Min(), ys.Max() - ys.Min() },
                    iscrowd = 0,
                });
            }
        }

        var path = Path.Combine(folder, "crops.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new
        {
            images,
            categories = new[] { new { id = 1, name = "cell", supercategory = "cell" } },
            annotations,
        }));
        return (path, folder);
    }

    // Sutherland–Hodgman against the window, then shifted into it.
    private static double[] Clip(double[] polygon, double x0, double y0, int size)
    {
        var points = new List<(double X, double Y)>();
        for (var i = 0; i + 1 < polygon.Length; i += 2)
        {
            points.Add((polygon[i] - x0, polygon[i + 1] - y0));
        }

        points = ClipEdge(points, p => p.X >= 0, (a, b) => Cross(a, b, (0 - a.X) / (b.X - a.X)));
        points = ClipEdge(points, p => p.X <= size, (a, b) => Cross(a, b, (size - a.X) / (b.X - a.X)));
        points = ClipEdge(points, p => p.Y >= 0, (a, b) => Cross(a, b, (0 - a.Y) / (b.Y - a.Y)));
        points = ClipEdge(points, p => p.Y <= size, (a, b) => Cross(a, b, (size - a.Y) / (b.Y - a.Y)));
        return points.SelectMany(p => new[] { p.X, p.Y }).ToArray();
    }

    private static (double X, double Y) Cross((double X, double Y) a, (double X, double Y) b, double t) =>
        (a.X + t * (b.X - a.X), a.Y + t * (b.Y - a.Y));

    private static List<(double X, double Y)> ClipEdge(List<(double X, double Y)> points, Func<(double X, double Y), bool> inside,
        Func<(double X, double Y), (double X, double Y), (double X, double Y)> intersect)
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
                    result.Add(intersect(previous, current));
                }

                result.Add(current);
            }
            else if (inside(previous))
            {
                result.Add(intersect(previous, current));
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
