using System.Diagnostics;
using System.Text.Json;
using CellSeg.Bench.Infrastructure;
using CellSeg.Data.Coco;
using CellSeg.Data.Masks;
using CellSeg.Metrics.Coco;

namespace CellSeg.Bench.Parse;

/// <summary>
/// One parse measurement in its own process (<c>parse-one --mode M --file F</c>), so its peak memory
/// (VmHWM) is its own. Prints the figures as a RESULT line for the parent.
/// </summary>
internal static class ParseMeasurement
{
    /// <summary>The modes, in the order the parent runs them, with what each measures.</summary>
    public static readonly (string Mode, string Label)[] Modes =
    [
        ("tokenize", "floor: Utf8JsonReader over the file, every number read as double"),
        ("stream", "(a) streaming parse: CocoReader.ReadAsync, counting sink"),
        ("rasterise", "(b) parse + rasterise: EvalGroundTruth.LoadAsync(Segm)"),
        ("load", "(c) full in-memory load: CocoReader.LoadAsync"),
        ("rasterise-only", "rasteriser alone, 1 thread: Rle.FromPolygons on loaded polygons"),
    ];

    public static async Task RunAsync(BenchOptions options, CancellationToken ct)
    {
        var path = options.File("file");
        var mode = options.Mode ?? throw new UsageException("--mode is required");
        var line = new ProgressLine(mode);
        var read = new CocoReadOptions { Progress = new ReadProgressLine(line) };
        var process = Process.GetCurrentProcess();
        double setup = 0;
        Func<Task<ParseFigures>> step;
        CocoDataset? loaded = null;
        object? result = null;
        switch (mode)
        {
            case "tokenize":
                step = () => Task.Run(() => Tokenize(path, line, ct), ct);
                break;
            case "stream":
                step = async () =>
                {
                    var sink = new CountingSink();
                    await CocoReader.ReadAsync(path, sink, read, null, ct).ConfigureAwait(false);
                    return Figures(mode) with { Images = sink.Images, Annotations = sink.Annotations, Polygons = sink.Polygons, Vertices = sink.Vertices };
                };
                break;
            case "rasterise":
                step = async () =>
                {
                    var gt = await EvalGroundTruth.LoadAsync(path, IouType.Segm, read, ct).ConfigureAwait(false);
                    result = gt;
                    long runs = 0;
                    foreach (var objects in gt.ObjectsByImage)
                    {
                        foreach (var o in objects)
                        {
                            runs += o.Mask!.Counts.Length;
                        }
                    }

                    return Figures(mode) with { Images = gt.Images.Count, Annotations = gt.ObjectCount, Checksum = runs };
                };
                break;
            case "load":
                step = async () =>
                {
                    var dataset = await CocoReader.LoadAsync(path, read, ct).ConfigureAwait(false);
                    result = dataset;
                    var polygons = dataset.Annotations.Sum(a => a.Segmentation is PolygonSegmentation p ? p.Polygons.Count : 0);
                    GC.KeepAlive(dataset);
                    return Figures(mode) with { Images = dataset.Images.Count, Annotations = dataset.Annotations.Count, Polygons = polygons };
                };
                break;
            case "rasterise-only":
                var clock = Stopwatch.StartNew();
                loaded = await CocoReader.LoadAsync(path, read, ct).ConfigureAwait(false);
                setup = clock.Elapsed.TotalSeconds;
                line.Done();
                line = new ProgressLine("rasterise-only");
                step = () => Task.FromResult(RasteriseOnly(loaded, line, ct));
                break;
            default:
                throw new UsageException($"unknown parse mode '{mode}'");
        }

        var cpu0 = process.TotalProcessorTime;
        var allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        var pause0 = GC.GetTotalPauseDuration();
        int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
        var watch = Stopwatch.StartNew();
        var figures = await step().ConfigureAwait(false);
        var wall = watch.Elapsed.TotalSeconds;
        process.Refresh();
        line.Done();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        var peak = ProcessMemory.PeakBytes();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated0;
        var pause = (GC.GetTotalPauseDuration() - pause0).TotalSeconds;
        int gen0 = GC.CollectionCount(0) - g0, gen1 = GC.CollectionCount(1) - g1, gen2 = GC.CollectionCount(2) - g2;
        // After every figure of the step is read: this collection is not part of the measurement.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var held = GC.GetTotalMemory(forceFullCollection: false);
        GC.KeepAlive(result);
        ChildProcess.PrintResult(figures with
        {
            WallS = wall,
            CpuS = cpu,
            SetupS = setup,
            PeakBytes = peak,
            AllocatedBytes = allocated,
            GcPauseS = pause,
            HeldBytes = held,
            Gen0 = gen0,
            Gen1 = gen1,
            Gen2 = gen2,
            Cores = Environment.ProcessorCount,
        });
        GC.KeepAlive(loaded);
    }

    private static ParseFigures Figures(string mode) => new()
    {
        Mode = mode,
        WallS = 0,
        CpuS = 0,
        PeakBytes = 0,
        AllocatedBytes = 0,
        Gen0 = 0,
        Gen1 = 0,
        Gen2 = 0,
    };

    /// <summary>
    /// The least any Utf8JsonReader-based parser must do: one pass over every token, every number
    /// read as a double, nothing kept. The gap between this and (a) is the cost of building records.
    /// </summary>
    private static ParseFigures Tokenize(string path, ProgressLine line, CancellationToken ct)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var total = stream.Length;
        var buffer = new byte[1 << 20];
        int end = 0;
        long offset = 0, tokens = 0, numbers = 0;
        var sum = 0.0;
        var eof = false;
        var state = new JsonReaderState();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            while (!eof && end < buffer.Length)
            {
                var n = stream.Read(buffer, end, buffer.Length - end);
                eof = n == 0;
                end += n;
            }

            var reader = new Utf8JsonReader(buffer.AsSpan(0, end), eof, state);
            while (reader.Read())
            {
                tokens++;
                if (reader.TokenType == JsonTokenType.Number)
                {
                    sum += reader.GetDouble();
                    numbers++;
                }
            }

            var consumed = (int)reader.BytesConsumed;
            state = reader.CurrentState;
            if (eof)
            {
                break;
            }

            if (consumed == 0)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            Buffer.BlockCopy(buffer, consumed, buffer, 0, end - consumed);
            end -= consumed;
            offset += consumed;
            line.Report((double)offset / total, $"{Units.Mib(offset)} MiB");
        }

        return Figures("tokenize") with { Checksum = tokens, Numbers = numbers, NumberSum = sum };
    }

    private static ParseFigures RasteriseOnly(CocoDataset dataset, ProgressLine line, CancellationToken ct)
    {
        long runs = 0, polygons = 0, done = 0;
        foreach (var image in dataset.Images)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var a in dataset.AnnotationsOf(image.Id))
            {
                if (a.Segmentation is PolygonSegmentation p)
                {
                    runs += Rle.FromPolygons(p.Polygons, image.Height, image.Width).Counts.Length;
                    polygons += p.Polygons.Count;
                }

                done++;
            }

            line.Report((double)done / dataset.Annotations.Count, $"{Units.Count(done)} annotations");
        }

        return Figures("rasterise-only") with { Images = dataset.Images.Count, Annotations = done, Polygons = polygons, Checksum = runs };
    }
}
