using CellSeg.Bench.Generation;
using CellSeg.Bench.Infrastructure;

namespace CellSeg.Bench.Eval;

/// <summary>
/// `eval`: COCO evaluation at LIVECell test size. The set is the 15 real test images repeated as
/// exact copies (104 tiles ≈ LIVECell's 1,564 test images), with pred_noisy.json's detections copied
/// alongside, so the tiled AP can be checked against the 15-image AP.
/// </summary>
internal static class EvalBenchmark
{
    private const int FullTiles = 104;
    private const double TargetSeconds = 60;

    public static async Task RunAsync(BenchOptions options, CancellationToken ct)
    {
        var shared = SharedData.Locate(options.SharedDir);
        var tiles = Math.Max(1, (int)Math.Round(FullTiles * options.Scale));
        Console.WriteLine($"== eval: LIVECell-test-sized COCO evaluation ({tiles} tiles of the 15 test images, scale {options.Scale}) ==");
        var set = await EvalSetGenerator.EnsureAsync(shared, options.WorkDir, tiles, ct).ConfigureAwait(false);
        var reused = set.Reused ? " (reused)" : string.Empty;
        Console.WriteLine($"ground truth  {set.GroundTruthPath}{reused}: {Units.Count(set.Images)} images, {Units.Count(set.Annotations)} cells, {Units.Mib(set.GroundTruthBytes)} MiB");
        Console.WriteLine($"detections    {set.DetectionsPath}{reused}: {Units.Count(set.Detections)} detections (up to {set.MaxDetectionsPerImage} per image), {Units.Mib(set.DetectionsBytes)} MiB");
        Console.WriteLine("parameters    CocoEvalParams.Livecell(Segm): class-agnostic, maxDets 100/500/2000, areas split at 18² and 31²");
        Console.WriteLine($"machine       {Machine.Describe()}");
        Console.WriteLine($"runs          {options.Repeat}x, each in a fresh process started on a quiet machine (cold: load, JIT and all); figures from the median run by total time");
        Console.WriteLine();

        var runs = await Repeated<Measured<EvalFigures>>.RunAsync(
            options.Repeat,
            async i =>
            {
                Console.Error.WriteLine($"  evaluation run {i + 1} of {options.Repeat} ...");
                return await ChildProcess.RunUndisturbedAsync(() => ChildProcess.RunSelfAsync<EvalFigures>(
                    ["eval-one", "--gt", set.GroundTruthPath, "--dt", set.DetectionsPath, "--sample-gt", shared.TestAnnotations, "--sample-dt", shared.NoisyPredictions, "--reference", shared.NoisyReference, "--check", i == 0 ? "yes" : "no"],
                    singleCore: false,
                    ct)).ConfigureAwait(false);
            },
            m => m.Figures.TotalS).ConfigureAwait(false);
        PrintStages(runs);
        var check = runs.Runs[0].Figures.Check ?? throw new BenchException("the first evaluation run did no check");
        PrintCheck(check, tiles);
    }

    private static void PrintStages(Repeated<Measured<EvalFigures>> measured)
    {
        var runs = new Repeated<EvalFigures>(measured.Runs.Select(m => m.Figures).ToArray(), r => r.TotalS);
        var f = runs.Median;
        var stages = new TextTable("stage", "s", "share", "range s");
        void Stage(string name, Func<EvalFigures, double> seconds)
        {
            var stage = new Repeated<EvalFigures>(runs.Runs, seconds);
            stages.Add(name, Units.Seconds(seconds(f)), $"{seconds(f) / f.TotalS:P0}", stage.Range);
        }

        Stage("GT load + rasterise (EvalGroundTruth.LoadAsync)", r => r.GroundTruthS);
        Stage("results load (CocoReader.LoadDetectionsAsync)", r => r.DetectionsLoadS);
        Stage("results prepare (EvalDetections.Prepare)", r => r.DetectionsPrepareS);
        Stage($"Evaluate: matching, {Units.Count(f.Pairs)} GT x DT pairs", r => r.EvaluateS);
        Stage("Accumulate, all images", r => r.AccumulateS);
        Stage($"Accumulate per cell type ({f.CellTypeS.Count} types, one call each)", r => r.AccumulateCellTypesS);
        stages.Add($"total (target < {TargetSeconds:F0} s on {f.Cores} cores)", Units.Seconds(f.TotalS), f.TotalS < TargetSeconds ? "met" : "MISSED", runs.Range);
        Console.WriteLine(stages);
        Console.WriteLine($"CPU {Units.Seconds(f.CpuS)} s over {Units.Seconds(f.TotalS)} s wall; peak memory (VmHWM) {Units.Mib(f.PeakBytes)} MiB for {Units.Count(f.GroundTruthObjects)} cells and {Units.Count(f.Detections)} detections (max {f.MaxDetectionsPerImage} per image)");
        Console.WriteLine($"other processes used at most {MachineLoad.MostOtherCores(measured.Runs)} cores during a kept run (a run over {MachineLoad.DisturbedCores} is measured again, up to 3 times, and marked * if never undisturbed)");
        Console.WriteLine("per cell type accumulate s: " + string.Join(", ", f.CellTypeS.Select(t => $"{t.Key} {t.Value:F2}")));
        Console.WriteLine();
    }

    private static void PrintCheck(EvalCheck check, int tiles)
    {
        Console.WriteLine($"-- identical numbers: 15-image sample vs {tiles} exact copies --");
        var compare = new TextTable("metric", "15 images", $"x{tiles}", "difference", "tie-free 15", $"tie-free x{tiles}", "difference");
        var sample = check.Sample.Named().ToArray();
        var tiled = check.Tiled.Named().ToArray();
        var sampleFree = check.SampleTieFree.Named().ToArray();
        var tiledFree = check.TiledTieFree.Named().ToArray();
        for (var i = 0; i < sample.Length; i++)
        {
            compare.Add(sample[i].Name, Units.Metric(sample[i].Value), Units.Metric(tiled[i].Value), Units.Signed(tiled[i].Value - sample[i].Value),
                Units.Metric(sampleFree[i].Value), Units.Metric(tiledFree[i].Value), Units.Signed(tiledFree[i].Value - sampleFree[i].Value));
        }

        Console.WriteLine(compare);
        if (check.ReferenceAP is { } reference)
        {
            Console.WriteLine($"pycocotools' AP for the 15-image sample (ref_noisy.json): {reference:R}; ours {check.Sample.AP:R} (difference {Units.Signed(check.Sample.AP - reference)})");
        }

        Console.WriteLine($"why tiled and 15-image numbers can differ: {check.TiedSampleDetections} of {check.SampleDetections} sample detections share their score with another one.");
        Console.WriteLine("  pycocotools sorts all detections by score with a stable sort, so a tie group of the sample becomes, in the tiled set,");
        Console.WriteLine("  the group repeated once per tile, interleaved (copy 1's members, copy 2's, ...). Recall thresholds that fall inside");
        Console.WriteLine("  such a group then read precision at other points of the curve. The tie-free columns lower each sample detection's");
        Console.WriteLine("  score by n x 1e-12 (n = its index in the file; copies keep tying only with each other): if they agree, ties are the whole cause.");
        Console.WriteLine();

        var perType = new TextTable("cell type", "images 15 / tiled", "AP 15", $"AP x{tiles}", "difference", "tie-free difference");
        foreach (var t in check.CellTypes)
        {
            perType.Add(t.CellType, $"{t.SampleImages} / {t.TiledImages}", Units.Metric(t.Sample.AP), Units.Metric(t.Tiled.AP),
                Units.Signed(t.Tiled.AP - t.Sample.AP), Units.Signed(t.TiledTieFree.AP - t.SampleTieFree.AP));
        }

        Console.WriteLine(perType);
    }
}
