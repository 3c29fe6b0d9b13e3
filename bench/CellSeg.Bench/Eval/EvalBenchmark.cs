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
        Console.WriteLine();

        Console.Error.WriteLine("  timing every stage in a fresh process ...");
        var f = await ChildProcess.RunSelfAsync<EvalFigures>(
            ["eval-one", "--gt", set.GroundTruthPath, "--dt", set.DetectionsPath, "--sample-gt", shared.TestAnnotations, "--sample-dt", shared.NoisyPredictions, "--reference", shared.NoisyReference],
            singleCore: false,
            ct).ConfigureAwait(false);

        var stages = new TextTable("stage", "s", "share");
        void Stage(string name, double seconds) => stages.Add(name, Units.Seconds(seconds), $"{seconds / f.TotalS:P0}");
        Stage("GT load + rasterise (EvalGroundTruth.LoadAsync)", f.GroundTruthS);
        Stage("results load (CocoReader.LoadDetectionsAsync)", f.DetectionsLoadS);
        Stage("results prepare (EvalDetections.Prepare)", f.DetectionsPrepareS);
        Stage($"Evaluate: matching, {Units.Count(f.Pairs)} GT x DT pairs", f.EvaluateS);
        Stage("Accumulate, all images", f.AccumulateS);
        Stage($"Accumulate per cell type ({f.CellTypes.Count} types)", f.AccumulateCellTypesS);
        stages.Add($"total (target < {TargetSeconds:F0} s on {f.Cores} cores)", Units.Seconds(f.TotalS), f.TotalS < TargetSeconds ? "met" : "MISSED");
        Console.WriteLine(stages);
        Console.WriteLine($"peak memory (VmHWM) {Units.Mib(f.PeakBytes)} MiB for {Units.Count(f.GroundTruthObjects)} cells and {Units.Count(f.Detections)} detections (max {f.MaxDetectionsPerImage} per image)");
        Console.WriteLine();

        Console.WriteLine($"-- identical numbers: 15-image sample vs {tiles} exact copies --");
        var compare = new TextTable("metric", "15 images", $"x{tiles}", "difference", "tie-free 15", $"tie-free x{tiles}", "difference");
        var sample = f.Sample.Named().ToArray();
        var tiled = f.Tiled.Named().ToArray();
        var sampleFree = f.SampleTieFree.Named().ToArray();
        var tiledFree = f.TiledTieFree.Named().ToArray();
        for (var i = 0; i < sample.Length; i++)
        {
            compare.Add(sample[i].Name, Units.Metric(sample[i].Value), Units.Metric(tiled[i].Value), Units.Signed(tiled[i].Value - sample[i].Value),
                Units.Metric(sampleFree[i].Value), Units.Metric(tiledFree[i].Value), Units.Signed(tiledFree[i].Value - sampleFree[i].Value));
        }

        Console.WriteLine(compare);
        if (f.ReferenceAP is { } reference)
        {
            Console.WriteLine($"pycocotools' AP for the 15-image sample (ref_noisy.json): {reference:R}; ours {f.Sample.AP:R} (difference {Units.Signed(f.Sample.AP - reference)})");
        }

        Console.WriteLine($"why tiled and 15-image numbers can differ: {f.TiedSampleDetections} of {f.SampleDetections} sample detections share their score with another one.");
        Console.WriteLine("  pycocotools sorts all detections by score with a stable sort, so a tie group of the sample becomes, in the tiled set,");
        Console.WriteLine("  the group repeated once per tile, interleaved (copy 1's members, copy 2's, ...). Recall thresholds that fall inside");
        Console.WriteLine("  such a group then read precision at other points of the curve. The tie-free columns lower each sample detection's");
        Console.WriteLine("  score by n x 1e-12 (n = its index in the file; copies keep tying only with each other): if they agree, ties are the whole cause.");
        Console.WriteLine();

        var perType = new TextTable("cell type", "images", "AP 15", $"AP x{tiles}", "difference", "tie-free difference", "accumulate s");
        foreach (var t in f.CellTypes)
        {
            perType.Add(t.CellType, $"{t.SampleImages} / {t.TiledImages}", Units.Metric(t.Sample.AP), Units.Metric(t.Tiled.AP),
                Units.Signed(t.Tiled.AP - t.Sample.AP), Units.Signed(t.TiledTieFree.AP - t.SampleTieFree.AP), Units.Seconds(t.AccumulateS));
        }

        Console.WriteLine(perType);
    }
}
