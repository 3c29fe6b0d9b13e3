using CellSeg.Data.Masks;

namespace CellSeg.Data.Tests.Masks;

/// <summary>Seeded random masks and an independent reference for "a component with its holes filled".</summary>
public static class MaskTestShapes
{
    /// <summary>A few random discs and ellipses plus scattered single pixels: blobs that touch, merge, nest and hit the border.</summary>
    public static BinaryMask RandomBlobs(int seed, int height, int width)
    {
        var random = new Random(seed);
        var mask = new BinaryMask(height, width);
        var blobs = random.Next(1, 6);
        for (var b = 0; b < blobs; b++)
        {
            double cx = random.NextDouble() * width, cy = random.NextDouble() * height;
            double rx = 0.5 + random.NextDouble() * width / 3, ry = 0.5 + random.NextDouble() * height / 3;
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
                    if (dx * dx + dy * dy <= 1)
                    {
                        mask[x, y] = (byte)(random.NextDouble() < 0.93 ? 1 : 0);
                    }
                }
            }
        }

        for (var i = random.Next(0, 6); i > 0; i--)
        {
            mask[random.Next(width), random.Next(height)] = 1;
        }

        return mask;
    }

    /// <summary>Each 8-connected component with its holes (background not 4-connected to the outside) filled, in raster order.</summary>
    public static List<BinaryMask> FilledComponents(BinaryMask mask)
    {
        int h = mask.Height, w = mask.Width;
        var label = new int[h * w];
        var result = new List<BinaryMask>();
        for (var start = 0; start < label.Length; start++)
        {
            if (mask.Data[start] == 0 || label[start] != 0)
            {
                continue;
            }

            var component = new BinaryMask(h, w);
            var queue = new Queue<int>([start]);
            label[start] = result.Count + 1;
            while (queue.Count > 0)
            {
                var p = queue.Dequeue();
                component.Data[p] = 1;
                int x = p % w, y = p / w;
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx >= 0 && ny >= 0 && nx < w && ny < h && mask[nx, ny] != 0 && label[ny * w + nx] == 0)
                        {
                            label[ny * w + nx] = result.Count + 1;
                            queue.Enqueue(ny * w + nx);
                        }
                    }
                }
            }

            result.Add(FillHoles(component));
        }

        return result;
    }

    /// <summary>Sets every background pixel that cannot reach the image's outside through 4-connected background.</summary>
    public static BinaryMask FillHoles(BinaryMask mask)
    {
        int h = mask.Height, w = mask.Width, pw = w + 2, ph = h + 2;
        var outside = new bool[pw * ph];
        var queue = new Queue<(int X, int Y)>([(0, 0)]);
        outside[0] = true;
        while (queue.Count > 0)
        {
            var (x, y) = queue.Dequeue();
            foreach (var (nx, ny) in new[] { (x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1) })
            {
                if (nx < 0 || ny < 0 || nx >= pw || ny >= ph || outside[ny * pw + nx])
                {
                    continue;
                }

                var inside = nx >= 1 && ny >= 1 && nx <= w && ny <= h;
                if (inside && mask[nx - 1, ny - 1] != 0)
                {
                    continue;
                }

                outside[ny * pw + nx] = true;
                queue.Enqueue((nx, ny));
            }
        }

        var filled = new BinaryMask(h, w);
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                filled[x, y] = (byte)(outside[(y + 1) * pw + x + 1] ? 0 : 1);
            }
        }

        return filled;
    }

    /// <summary>Parses rows of '#' (set) and '.' (clear) into a mask.</summary>
    public static BinaryMask Parse(params string[] rows)
    {
        var mask = new BinaryMask(rows.Length, rows[0].Length);
        for (var y = 0; y < rows.Length; y++)
        {
            for (var x = 0; x < rows[y].Length; x++)
            {
                mask[x, y] = (byte)(rows[y][x] == '#' ? 1 : 0);
            }
        }

        return mask;
    }

    /// <summary>The mask the polygons rasterise to under pycocotools' rules (union of all).</summary>
    public static BinaryMask Rasterise(IReadOnlyList<double[]> polygons, int height, int width) =>
        polygons.Count == 0 ? new BinaryMask(height, width) : Rle.FromPolygons(polygons, height, width).Decode();

    public static string Render(BinaryMask mask)
    {
        var rows = new List<string>();
        for (var y = 0; y < mask.Height; y++)
        {
            rows.Add(string.Concat(Enumerable.Range(0, mask.Width).Select(x => mask[x, y] != 0 ? '#' : '.')));
        }

        return string.Join('\n', rows);
    }
}
