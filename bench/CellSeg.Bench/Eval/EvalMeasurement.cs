using System.Diagnostics;
using System.Text.Json;
using CellSeg.Bench.Infrastructure;
using CellSeg.Bench.Parse;
using CellSeg.Data.Coco;
using CellSeg.Metrics.Coco;

namespace CellSeg.Bench.Eval;

/// <summary>
/// The eval child (<c>eval-one --gt --dt --sample-gt --sample-dt [--reference] [--check no]</c>):
/// times every stage on the tiled set first, cold, as a command-line user would meet it; then,
/// untimed, evaluates the 15-image sample and both sets again with score ties broken, for the
/// "identical numbers" check.
/// </summary>
internal static class EvalMeasurement
{
    /// <summary>Far below the 1e-4 step of the sample's scores, so breaking ties reorders nothing else.</summary>
    private const double TieBreakStep = 1e-12;

    public static async Task RunAsync(BenchOptions options, CancellationToken ct)
    {
        var p = CocoEvalParams.Livecell(IouType.Segm);
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var total = Stopwatch.StartNew();
        var watch = Stopwatch.StartNew();
        var line = new ProgressLine("ground truth load + rasterise");
        var gt = await EvalGroundTruth.LoadAsync(options.File("gt"), IouType.Segm, new CocoReadOptions { Progress = new ReadProgressLine(line) }, ct).ConfigureAwait(false);
        line.Done();
        var gtSeconds = Lap(watch);

        line = new ProgressLine("results load");
        var detections = await CocoReader.LoadDetectionsAsync(options.File("dt"), null, new CocoReadOptions { Progress = new ReadProgressLine(line) }, ct).ConfigureAwait(false);
        line.Done();
        var loadSeconds = Lap(watch);
        var dt = EvalDetections.Prepare(detections, gt, IouType.Segm);
        var prepareSeconds = Lap(watch);

        line = new ProgressLine("evaluate");
        var evaluator = CocoEvaluator.Evaluate(gt, dt, p, new ImagesProgress(line, gt.Images.Count), ct);
        line.Done();
        var evaluateSeconds = Lap(watch);

        var summary = evaluator.Accumulate();
        var accumulateSeconds = Lap(watch);

        var tiledTypes = CellTypes.Group(gt.Images);
        var typeSummaries = new Dictionary<string, CocoEvalSummary>(StringComparer.Ordinal);
        var typeSeconds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (type, ids) in tiledTypes)
        {
            var typeWatch = Stopwatch.StartNew();
            typeSummaries[type] = evaluator.Accumulate(ids);
            typeSeconds[type] = typeWatch.Elapsed.TotalSeconds;
        }

        var typesSeconds = Lap(watch);
        var totalSeconds = total.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpu0).TotalSeconds;
        var peak = ProcessMemory.PeakBytes();

        // Untimed from here on.
        var pairs = 0L;
        var maxPerImage = 0;
        for (var i = 0; i < gt.Images.Count; i++)
        {
            pairs += (long)gt.ObjectsByImage[i].Count * dt.ObjectsByImage[i].Count;
            maxPerImage = Math.Max(maxPerImage, dt.ObjectsByImage[i].Count);
        }

        dt = null;
        var check = options.Files.GetValueOrDefault("check") == "no"
            ? null
            : await CheckAsync(options, p, gt, detections, summary, tiledTypes, typeSummaries, ct).ConfigureAwait(false);
        ChildProcess.PrintResult(new EvalFigures
        {
            GroundTruthS = gtSeconds,
            DetectionsLoadS = loadSeconds,
            DetectionsPrepareS = prepareSeconds,
            EvaluateS = evaluateSeconds,
            AccumulateS = accumulateSeconds,
            AccumulateCellTypesS = typesSeconds,
            CellTypeS = typeSeconds,
            TotalS = totalSeconds,
            CpuS = cpuSeconds,
            PeakBytes = peak,
            Images = gt.Images.Count,
            GroundTruthObjects = gt.ObjectCount,
            Detections = detections.Detections.Count,
            MaxDetectionsPerImage = maxPerImage,
            Pairs = pairs,
            Tiled = Scores.Of(summary),
            Check = check,
            Cores = Environment.ProcessorCount,
        });
    }

    private static async Task<EvalCheck> CheckAsync(
        BenchOptions options,
        CocoEvalParams p,
        EvalGroundTruth gt,
        DetectionSet detections,
        CocoEvalSummary summary,
        SortedDictionary<string, List<long>> tiledTypes,
        Dictionary<string, CocoEvalSummary> typeSummaries,
        CancellationToken ct)
    {
        Console.Error.WriteLine("  untimed check: the 15-image sample, and both sets with score ties broken ...");
        var sampleGt = await EvalGroundTruth.LoadAsync(options.File("sample-gt"), IouType.Segm, cancellationToken: ct).ConfigureAwait(false);
        var sampleDetections = await CocoReader.LoadDetectionsAsync(options.File("sample-dt"), cancellationToken: ct).ConfigureAwait(false);
        var sampleEvaluator = CocoEvaluator.Evaluate(sampleGt, EvalDetections.Prepare(sampleDetections, sampleGt, IouType.Segm), p, cancellationToken: ct);
        var sampleTypes = CellTypes.Group(sampleGt.Images);

        var count = sampleDetections.Detections.Count;
        for (var i = 0; i < detections.Detections.Count; i++)
        {
            if (detections.Detections[i].Score != sampleDetections.Detections[i % count].Score)
            {
                throw new BenchException($"{options.File("dt")}: detection {i} is not a copy of sample detection {i % count}; delete the work folder to regenerate it");
            }
        }

        var sampleTieFree = CocoEvaluator.Evaluate(sampleGt, EvalDetections.Prepare(BreakTies(sampleDetections, count), sampleGt, IouType.Segm), p, cancellationToken: ct);
        var tiledTieFree = CocoEvaluator.Evaluate(gt, EvalDetections.Prepare(BreakTies(detections, count), gt, IouType.Segm), p, cancellationToken: ct);

        var types = new List<CellTypeFigures>();
        foreach (var (type, ids) in tiledTypes)
        {
            var sampleIds = sampleTypes.GetValueOrDefault(type) ?? [];
            types.Add(new CellTypeFigures(
                type,
                sampleIds.Count,
                ids.Count,
                Scores.Of(sampleEvaluator.Accumulate(sampleIds)),
                Scores.Of(typeSummaries[type]),
                Scores.Of(sampleTieFree.Accumulate(sampleIds)),
                Scores.Of(tiledTieFree.Accumulate(ids))));
        }

        return new EvalCheck
        {
            Sample = Scores.Of(sampleEvaluator.Accumulate()),
            Tiled = Scores.Of(summary),
            SampleTieFree = Scores.Of(sampleTieFree.Accumulate()),
            TiledTieFree = Scores.Of(tiledTieFree.Accumulate()),
            ReferenceAP = options.Files.TryGetValue("reference", out var reference) ? ReadReferenceAP(reference) : null,
            SampleDetections = count,
            TiedSampleDetections = sampleDetections.Detections.CountBy(d => d.Score).Where(g => g.Value > 1).Sum(g => g.Value),
            CellTypes = types,
        };
    }

    private static double Lap(Stopwatch watch)
    {
        var seconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        return seconds;
    }

    /// <summary>
    /// Lowers the score of the n-th detection of each copy by n·1e-12: no two detections of one copy
    /// tie any more, copies of the same detection still do.
    /// </summary>
    private static DetectionSet BreakTies(DetectionSet set, int copyLength)
    {
        var list = new CocoDetection[set.Detections.Count];
        for (var i = 0; i < list.Length; i++)
        {
            var d = set.Detections[i];
            list[i] = d with { Score = d.Score - (i % copyLength) * TieBreakStep };
        }

        return set with { Detections = list };
    }

    private static double? ReadReferenceAP(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return document.RootElement.GetProperty("livecell").GetProperty("AP").GetDouble();
    }

    /// <summary>Images matched so far, drawn on the progress line (called from the matching threads).</summary>
    private sealed class ImagesProgress(ProgressLine line, int total) : IProgress<int>
    {
        public void Report(int value) => line.Report((double)value / total, $"{Units.Count(value)} of {Units.Count(total)} images");
    }
}
