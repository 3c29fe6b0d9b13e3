using System.Text.Json;
using CellSeg.Bench.Infrastructure;
using CellSeg.Data.Coco;
using CellSeg.Data.IO;

namespace CellSeg.Bench.Generation;

/// <summary>What <see cref="EvalSetGenerator"/> made (stored beside the files for reuse).</summary>
internal sealed record EvalSet
{
    public required string GroundTruthPath { get; init; }

    public required string DetectionsPath { get; init; }

    public required int Version { get; init; }

    public required int Tiles { get; init; }

    public required long Images { get; init; }

    public required long Annotations { get; init; }

    public required long Detections { get; init; }

    public required int MaxDetectionsPerImage { get; init; }

    public required long GroundTruthBytes { get; init; }

    public required long DetectionsBytes { get; init; }

    public bool Reused { get; init; }
}

/// <summary>
/// Makes a LIVECell-test-sized evaluation set: the 15 real test images repeated as whole tiles, each
/// an exact copy (same polygons, same detections) under new image and annotation ids. Image ids are
/// tile·10⁷ + the original id, so every tile keeps the sample's image order and tiles follow each
/// other; that keeps the tiled evaluation comparable with the 15-image one.
/// </summary>
internal static class EvalSetGenerator
{
    public const long IdStride = 10_000_000;
    private const int Version = 1;

    public static async Task<EvalSet> EnsureAsync(SharedData shared, string workDir, int tiles, CancellationToken ct)
    {
        var name = $"livecell-test-tiled-x{tiles}";
        var gtPath = Path.Combine(workDir, name + ".json");
        var dtPath = Path.Combine(workDir, name + ".pred_noisy.json");
        var metaPath = Path.Combine(workDir, name + ".meta.json");
        if (File.Exists(metaPath) && File.Exists(gtPath) && File.Exists(dtPath))
        {
            var meta = JsonSerializer.Deserialize<EvalSet>(await File.ReadAllTextAsync(metaPath, ct).ConfigureAwait(false), Json.Options);
            if (meta is not null && meta.Version == Version && meta.GroundTruthBytes == new FileInfo(gtPath).Length && meta.DetectionsBytes == new FileInfo(dtPath).Length)
            {
                return meta with { GroundTruthPath = gtPath, DetectionsPath = dtPath, Reused = true };
            }
        }

        Directory.CreateDirectory(workDir);
        var test = await CocoReader.LoadAsync(shared.TestAnnotations, cancellationToken: ct).ConfigureAwait(false);
        var predictions = await CocoReader.LoadDetectionsAsync(shared.NoisyPredictions, test, cancellationToken: ct).ConfigureAwait(false);
        if (test.Images.Any(i => i.Id <= 0 || i.Id >= IdStride))
        {
            throw new BenchException($"{shared.TestAnnotations}: image ids must lie in 1..{IdStride - 1} for tiling");
        }

        var progress = new ProgressLine($"generating {name}");
        long annotationId = 0;
        await AtomicFile.WriteAsync(gtPath, async (stream, token) =>
        {
            var w = new PythonJsonWriter(stream);
            var file = new LivecellJson(w);
            file.Begin(test.OtherFieldsJson, test.Categories);
            for (var t = 0; t < tiles; t++)
            {
                foreach (var image in test.Images)
                {
                    file.Image(TiledId(t, image.Id), TrainFileGenerator.TiledName(image.FileName, t), image);
                }

                await w.FlushIfFullAsync(token).ConfigureAwait(false);
            }

            file.BeginAnnotations();
            for (var t = 0; t < tiles; t++)
            {
                foreach (var a in test.Annotations)
                {
                    if (a.Segmentation is not PolygonSegmentation polygons)
                    {
                        throw new BenchException($"annotation {a.Id} of the sample is not a polygon; the generator tiles polygons only");
                    }

                    file.Annotation(++annotationId, TiledId(t, a.ImageId), a.CategoryId, polygons.Polygons, a.Area, a.Bbox, a.IsCrowd);
                    await w.FlushIfFullAsync(token).ConfigureAwait(false);
                }

                progress.Report((t + 1.0) / (2 * tiles), $"ground truth, tile {t + 1} of {tiles}");
            }

            file.End();
            await w.FlushAsync(token).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);

        IEnumerable<CocoDetection> Tiled()
        {
            for (var t = 0; t < tiles; t++)
            {
                foreach (var d in predictions.Detections)
                {
                    yield return d with { ImageId = TiledId(t, d.ImageId) };
                }

                progress.Report(0.5 + (t + 1.0) / (2 * tiles), $"detections, tile {t + 1} of {tiles}");
            }
        }

        await CocoWriter.WriteDetectionsAsync(Tiled(), dtPath, ct).ConfigureAwait(false);
        progress.Done();
        var set = new EvalSet
        {
            GroundTruthPath = gtPath,
            DetectionsPath = dtPath,
            Version = Version,
            Tiles = tiles,
            Images = (long)tiles * test.Images.Count,
            Annotations = annotationId,
            Detections = (long)tiles * predictions.Detections.Count,
            MaxDetectionsPerImage = predictions.Detections.CountBy(d => d.ImageId).Max(g => g.Value),
            GroundTruthBytes = new FileInfo(gtPath).Length,
            DetectionsBytes = new FileInfo(dtPath).Length,
        };
        await File.WriteAllTextAsync(metaPath, JsonSerializer.Serialize(set, Json.Options), ct).ConfigureAwait(false);
        return set;
    }

    public static long TiledId(int tile, long originalId) => (tile + 1) * IdStride + originalId;
}
