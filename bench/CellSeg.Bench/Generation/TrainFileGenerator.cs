using System.Text.Json;
using CellSeg.Bench.Infrastructure;
using CellSeg.Data.Coco;
using CellSeg.Data.IO;
using CellSeg.Data.Masks;

namespace CellSeg.Bench.Generation;

/// <summary>What <see cref="TrainFileGenerator"/> made (also stored beside the file, so a later run reuses it).</summary>
internal sealed record TrainFile
{
    public required string JsonPath { get; init; }

    public required string PolygonDumpPath { get; init; }

    public required int Version { get; init; }

    public required long TargetPolygons { get; init; }

    public required int Seed { get; init; }

    public required long Images { get; init; }

    public required long Annotations { get; init; }

    public required long Polygons { get; init; }

    public required long Vertices { get; init; }

    public required long ClippedAnnotations { get; init; }

    public required long Bytes { get; init; }

    public bool Reused { get; init; }
}

/// <summary>
/// Makes a LIVECell-train-sized ground-truth file out of the 20 real sample images: image after
/// image of the sample is repeated, each copy with its real polygons shifted by a whole-pixel offset
/// (the same for all cells of the copy, like another field of view) and clipped to the image, with
/// new image and annotation ids. Coordinates keep LIVECell's two decimals.
/// </summary>
internal static class TrainFileGenerator
{
    /// <summary>Bump when the output changes, so old generated files are not reused.</summary>
    private const int Version = 1;

    private const int Seed = 2021;
    private const int MaxShift = 16;

    public static async Task<TrainFile> EnsureAsync(SharedData shared, string workDir, double scale, CancellationToken ct)
    {
        var target = (long)Math.Round(1_000_000 * scale);
        var name = $"livecell-train-tiled-{target}";
        var jsonPath = Path.Combine(workDir, name + ".json");
        var dumpPath = Path.Combine(workDir, name + ".polygons.bin");
        var metaPath = Path.Combine(workDir, name + ".meta.json");
        if (File.Exists(metaPath) && File.Exists(jsonPath) && File.Exists(dumpPath))
        {
            var meta = JsonSerializer.Deserialize<TrainFile>(await File.ReadAllTextAsync(metaPath, ct).ConfigureAwait(false), Json.Options);
            if (meta is not null && meta.Version == Version && meta.Seed == Seed && meta.Bytes == new FileInfo(jsonPath).Length)
            {
                return meta with { JsonPath = jsonPath, PolygonDumpPath = dumpPath, Reused = true };
            }
        }

        Directory.CreateDirectory(workDir);
        var test = await CocoReader.LoadAsync(shared.TestAnnotations, cancellationToken: ct).ConfigureAwait(false);
        var val = await CocoReader.LoadAsync(shared.ValAnnotations, cancellationToken: ct).ConfigureAwait(false);
        var pool = test.Images.Select(i => (Image: i, Annotations: test.AnnotationsOf(i.Id)))
            .Concat(val.Images.Select(i => (Image: i, Annotations: val.AnnotationsOf(i.Id))))
            .Where(p => p.Annotations.Count > 0)
            .ToArray();

        // Plan the images first: the images list comes before the annotations in the file.
        var random = new Random(Seed);
        var plan = new List<(int Source, int Dx, int Dy)>();
        long annotations = 0;
        while (annotations < target)
        {
            var source = plan.Count % pool.Length;
            plan.Add((source, random.Next(-MaxShift, MaxShift + 1), random.Next(-MaxShift, MaxShift + 1)));
            annotations += pool[source].Annotations.Count;
        }

        var progress = new ProgressLine($"generating {Path.GetFileName(jsonPath)}");
        long polygons = 0, vertices = 0, clipped = 0, written = 0;
        var dumpTemp = dumpPath + ".tmp";
        using (var dump = new PolygonDump(dumpTemp, annotations))
        {
            await AtomicFile.WriteAsync(jsonPath, async (stream, token) =>
            {
                var w = new PythonJsonWriter(stream);
                var file = new LivecellJson(w);
                file.Begin(test.OtherFieldsJson, test.Categories);
                for (var k = 0; k < plan.Count; k++)
                {
                    var image = pool[plan[k].Source].Image;
                    file.Image(ImageId(k), TiledName(image.FileName, k), image);
                    await w.FlushIfFullAsync(token).ConfigureAwait(false);
                }

                file.BeginAnnotations();
                var nextId = ImageId(plan.Count);
                for (var k = 0; k < plan.Count; k++)
                {
                    var (source, dx, dy) = plan[k];
                    var image = pool[source].Image;
                    foreach (var a in pool[source].Annotations)
                    {
                        if (a.Segmentation is not PolygonSegmentation original)
                        {
                            throw new BenchException($"annotation {a.Id} of the sample is not a polygon; the generator tiles polygons only");
                        }

                        var (shifted, area, box, wasClipped) = Shift(original.Polygons, a.Area, a.Bbox, dx, dy, image.Width, image.Height);
                        file.Annotation(nextId++, ImageId(k), a.CategoryId, shifted, area, box, a.IsCrowd);
                        dump.Add(image.Height, image.Width, shifted);
                        polygons += shifted.Length;
                        vertices += shifted.Sum(p => p.Length / 2);
                        clipped += wasClipped ? 1 : 0;
                        written++;
                        await w.FlushIfFullAsync(token).ConfigureAwait(false);
                    }

                    progress.Report((double)written / annotations, $"{Units.Count(written)} annotations, {Units.Mib(w.BytesWritten)} MiB");
                }

                file.End();
                await w.FlushAsync(token).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }

        File.Move(dumpTemp, dumpPath, overwrite: true);
        progress.Done();
        var result = new TrainFile
        {
            JsonPath = jsonPath,
            PolygonDumpPath = dumpPath,
            Version = Version,
            TargetPolygons = target,
            Seed = Seed,
            Images = plan.Count,
            Annotations = written,
            Polygons = polygons,
            Vertices = vertices,
            ClippedAnnotations = clipped,
            Bytes = new FileInfo(jsonPath).Length,
        };
        await File.WriteAllTextAsync(metaPath, JsonSerializer.Serialize(result, Json.Options), ct).ConfigureAwait(false);
        return result;
    }

    private static long ImageId(int k) => 1 + k;

    /// <summary>A unique file name that keeps the cell-type prefix (text before the first '_').</summary>
    internal static string TiledName(string fileName, int copy)
    {
        var extension = Path.GetExtension(fileName);
        return $"{fileName[..^extension.Length]}_t{copy:D4}{extension}";
    }

    /// <summary>
    /// Moves polygons by whole pixels, rounding to LIVECell's two decimals, and clamps points into the
    /// image. Unclipped annotations keep their area and box size; clipped ones get the polygon's area
    /// (shoelace) and extent.
    /// </summary>
    internal static (double[][] Polygons, double Area, BoundingBox Box, bool Clipped) Shift(
        IReadOnlyList<double[]> polygons, double area, BoundingBox box, int dx, int dy, int width, int height)
    {
        var clipped = false;
        var result = new double[polygons.Count][];
        for (var p = 0; p < polygons.Count; p++)
        {
            var xy = polygons[p];
            var moved = new double[xy.Length];
            for (var i = 0; i + 1 < xy.Length; i += 2)
            {
                var x = Math.Round(xy[i] + dx, 2);
                var y = Math.Round(xy[i + 1] + dy, 2);
                var cx = Math.Clamp(x, 0, width);
                var cy = Math.Clamp(y, 0, height);
                clipped |= cx != x || cy != y;
                moved[i] = cx;
                moved[i + 1] = cy;
            }

            result[p] = moved;
        }

        if (!clipped)
        {
            return (result, area, new BoundingBox(Math.Round(box.X + dx, 2), Math.Round(box.Y + dy, 2), box.Width, box.Height), false);
        }

        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue, shoelace = 0;
        foreach (var xy in result)
        {
            var n = xy.Length / 2;
            var twice = 0.0;
            for (var i = 0; i < n; i++)
            {
                double x = xy[2 * i], y = xy[2 * i + 1];
                var j = (i + 1) % n;
                twice += x * xy[2 * j + 1] - xy[2 * j] * y;
                minX = Math.Min(minX, x);
                maxX = Math.Max(maxX, x);
                minY = Math.Min(minY, y);
                maxY = Math.Max(maxY, y);
            }

            shoelace += Math.Abs(twice) / 2;
        }

        return (result, shoelace, new BoundingBox(minX, minY, maxX - minX, maxY - minY), true);
    }
}
