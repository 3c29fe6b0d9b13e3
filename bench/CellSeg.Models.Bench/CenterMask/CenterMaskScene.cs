using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Bench.CenterMask;

/// <summary>
/// The benchmark's synthetic 704×520 scene: 150 ellipse cells on a jittered grid, drawn from the same formula as
/// bench/pytorch/centermask_bench.py (no random numbers), so both sides train and infer on the same picture.
/// </summary>
internal static class CenterMaskScene
{
    public const int Width = 704;
    public const int Height = 520;

    // Vertices per ellipse polygon (the C# mask targets rasterise polygons; PyTorch's sample a bitmap).
    private const int PolygonVertices = 48;

    /// <summary>Ellipses (cx, cy, rx, ry), as <c>scene_cells()</c> in the Python script.</summary>
    public static IReadOnlyList<(int Cx, int Cy, int Rx, int Ry)> Cells()
    {
        var cells = new List<(int, int, int, int)>();
        for (var j = 0; j < 10; j++)
        {
            for (var i = 0; i < 15; i++)
            {
                var k = (i * 7 + j * 3) % 5;
                cells.Add((24 + i * 46 + (j % 3) * 4, 26 + j * 50 + (i % 4) * 3, 6 + 3 * k, 5 + 2 * ((k + 2) % 5)));
            }
        }

        return cells;
    }

    /// <summary>The image (background 128, cell n at 150 + 5·(n mod 7)) with its boxes and polygons.</summary>
    public static CenterMaskSample Sample()
    {
        var cells = Cells();
        var pixels = new float[Height * Width];
        Array.Fill(pixels, 128f);
        var boxes = new float[cells.Count * 4];
        var polygons = new List<IReadOnlyList<double[]>>();
        for (var n = 0; n < cells.Count; n++)
        {
            var (cx, cy, rx, ry) = cells[n];
            for (var y = Math.Max(cy - ry - 1, 0); y <= Math.Min(cy + ry + 1, Height - 1); y++)
            {
                for (var x = Math.Max(cx - rx - 1, 0); x <= Math.Min(cx + rx + 1, Width - 1); x++)
                {
                    double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
                    if (dx * dx + dy * dy <= 1.0)
                    {
                        pixels[y * Width + x] = 150f + n % 7 * 5;
                    }
                }
            }

            boxes[n * 4] = cx - rx;
            boxes[n * 4 + 1] = cy - ry;
            boxes[n * 4 + 2] = cx + rx;
            boxes[n * 4 + 3] = cy + ry;
            var polygon = new double[PolygonVertices * 2];
            for (var v = 0; v < PolygonVertices; v++)
            {
                var t = 2 * Math.PI * v / PolygonVertices;
                polygon[2 * v] = cx + rx * Math.Cos(t);
                polygon[2 * v + 1] = cy + ry * Math.Sin(t);
            }

            polygons.Add([polygon]);
        }

        return new CenterMaskSample(tensor(pixels, [Height, Width]), tensor(boxes, [cells.Count, 4]), null, polygons);
    }
}
