using CellSeg.Bench.Generation;
using CellSeg.Bench.Infrastructure;

namespace CellSeg.Bench.Parse;

/// <summary>
/// `parse`: a LIVECell-train-sized COCO file, read three ways (streaming, streaming + rasterising,
/// fully in memory), each run in its own process; then the same file through the pycocotools anchors.
/// </summary>
internal static class ParseBenchmark
{
    public static async Task RunAsync(BenchOptions options, CancellationToken ct)
    {
        var shared = SharedData.Locate(options.SharedDir);
        Console.WriteLine($"== parse: LIVECell-train-sized COCO file (scale {options.Scale}) ==");
        var file = await TrainFileGenerator.EnsureAsync(shared, options.WorkDir, options.Scale, ct).ConfigureAwait(false);
        var mib = Units.MiB(file.Bytes);
        Console.WriteLine($"file      {file.JsonPath}{(file.Reused ? " (reused)" : string.Empty)}");
        Console.WriteLine($"size      {Units.Mib(file.Bytes)} MiB ({Units.Count(file.Bytes)} bytes)");
        Console.WriteLine($"content   {Units.Count(file.Images)} images, {Units.Count(file.Annotations)} annotations, {Units.Count(file.Polygons)} polygons, {Units.Count(file.Vertices)} vertices");
        Console.WriteLine($"made of   the 20 real sample images tiled, each copy shifted by up to ±16 px (seed {file.Seed}); {Units.Count(file.ClippedAnnotations)} annotations clipped at the border");
        Console.WriteLine($"machine   {Machine.Describe()}");
        Console.WriteLine($"runs      each measurement {options.Repeat}x, each run in a fresh process; figures from the median run");
        Console.WriteLine();

        var rows = new List<(string Key, string Label, Repeated<ParseFigures> Runs)>();
        foreach (var (mode, label) in ParseMeasurement.Modes)
        {
            rows.Add((mode, label, await MeasureAsync(options, file, mode, label, singleCore: false, ct).ConfigureAwait(false)));
            if (mode == "rasterise")
            {
                rows.Add(("rasterise-1core", "(b1) parse + rasterise, pinned to 1 core (taskset -c 0)", await MeasureAsync(options, file, mode, "(b1) pinned to one core", singleCore: true, ct).ConfigureAwait(false)));
            }
        }

        var table = new TextTable("measurement", "wall s", "range s", "CPU s", "polygons/s", "MiB/s", "peak MiB", "peak/file", "GC alloc MiB");
        foreach (var (_, label, runs) in rows)
        {
            var f = runs.Median;
            table.Add(
                label,
                Units.Seconds(f.WallS),
                runs.Range,
                Units.Seconds(f.CpuS),
                Units.Rate(file.Polygons / f.WallS),
                f.Mode == "rasterise-only" ? "-" : Units.Rate(mib / f.WallS),
                Units.Mib(f.PeakBytes),
                Units.Ratio((double)f.PeakBytes / file.Bytes),
                Units.Mib(f.AllocatedBytes));
        }

        Console.WriteLine(table);
        var only = Find(rows, "rasterise-only").Median;
        Console.WriteLine($"(rasterise-only first loads the file, untimed: {Units.Seconds(only.SetupS)} s; its peak includes that load.)");
        Console.WriteLine();

        if (!options.Anchor)
        {
            Console.WriteLine("pycocotools anchors skipped (--no-anchor)");
            return;
        }

        await CompareAsync(options, file, rows, ct).ConfigureAwait(false);
    }

    private static async Task<Repeated<ParseFigures>> MeasureAsync(BenchOptions options, TrainFile file, string mode, string label, bool singleCore, CancellationToken ct)
    {
        var runs = await Repeated<ParseFigures>.RunAsync(
            options.Repeat,
            async i =>
            {
                Console.Error.WriteLine($"  {label}, run {i + 1} of {options.Repeat} ...");
                return await ChildProcess.RunSelfAsync<ParseFigures>(["parse-one", "--mode", mode, "--file", file.JsonPath], singleCore, ct).ConfigureAwait(false);
            },
            f => f.WallS).ConfigureAwait(false);
        foreach (var f in runs.Runs)
        {
            if (f.Annotations != 0 && f.Annotations != file.Annotations)
            {
                throw new BenchException($"{label}: read {f.Annotations} annotations, the file holds {file.Annotations}");
            }
        }

        return runs;
    }

    private static Repeated<ParseFigures> Find(List<(string Key, string Label, Repeated<ParseFigures> Runs)> rows, string key) =>
        rows.First(r => r.Key == key).Runs;

    private static async Task CompareAsync(BenchOptions options, TrainFile file, List<(string Key, string Label, Repeated<ParseFigures> Runs)> rows, CancellationToken ct)
    {
        Console.WriteLine("-- comparator: pycocotools' COCO() loader + annToRLE on the same file --");
        var python = await Repeated<PythonFigures?>.RunAsync(options.Repeat, async i =>
        {
            var (figures, skipped) = await Anchors.RunPythonAsync(file.JsonPath, i, options.Repeat, ct).ConfigureAwait(false);
            if (skipped is not null && i == 0)
            {
                Console.WriteLine("Python anchor skipped: " + skipped);
            }

            return figures;
        }, f => f is null ? 0 : f.JsonLoadS + f.CreateIndexS).ConfigureAwait(false);
        var c = await Repeated<CFigures?>.RunAsync(options.Repeat, async i =>
        {
            var (figures, skipped) = await Anchors.RunCAsync(options.CocoApiDir, file.PolygonDumpPath, options.WorkDir, i, options.Repeat, ct).ConfigureAwait(false);
            if (skipped is not null && i == 0)
            {
                Console.WriteLine("C anchor skipped: " + skipped);
            }

            return figures;
        }, f => f?.AnntorleS ?? 0).ConfigureAwait(false);

        var py = python.Median;
        var cc = c.Median;
        var table = new TextTable("pycocotools step", "s", "range s (load+index)", "polygons/s", "peak MiB", "how");
        if (py is not null)
        {
            table.Add("json.load", Units.Seconds(py.JsonLoadS), python.Range, Units.Rate(file.Polygons / py.JsonLoadS), Units.Mib(py.PeakBytes), $"Python {py.Python} (/usr/bin/python3), measured");
            table.Add("createIndex (anns, imgs, imgToAnns, catToImgs)", Units.Seconds(py.CreateIndexS), string.Empty, "-", "-", "measured");
        }

        if (cc is not null)
        {
            var frpoly = new Repeated<CFigures?>(c.Runs, f => f!.FrpolyS);
            table.Add("rleFrPoly only (C, 1 thread)", Units.Seconds(frpoly.MedianSeconds), frpoly.Range, Units.Rate(cc.Polygons / frpoly.MedianSeconds), "-", "maskApi.c -O3, measured");
            table.Add("annToRLE's C calls (frPoly, toString, frString, merge, toString)", Units.Seconds(cc.AnntorleS), c.Range, Units.Rate(cc.Polygons / cc.AnntorleS), "-", "maskApi.c -O3, measured; Python overhead not counted");
        }

        Console.WriteLine(table);
        if (py is null || cc is null)
        {
            Console.WriteLine("no ratio: both anchors are needed");
            return;
        }

        var pycoco = py.JsonLoadS + py.CreateIndexS + cc.AnntorleS;
        var b = Find(rows, "rasterise");
        var b1 = Find(rows, "rasterise-1core");
        var only = Find(rows, "rasterise-only");
        var frpolyMedian = new Repeated<CFigures?>(c.Runs, f => f!.FrpolyS).MedianSeconds;
        Console.WriteLine($"pycocotools COCO() + annToRLE, lower bound = json.load + createIndex + annToRLE C calls = {Units.Seconds(pycoco)} s");
        Console.WriteLine($"C# (b) parse + rasterise, {b.Median.Cores} cores:  {Units.Seconds(b.MedianSeconds)} s (runs {b.Range} s)  -> {Units.Ratio(pycoco / b.MedianSeconds)}x faster (target >= 3x); best run {Units.Ratio(pycoco / b.Min)}x, worst {Units.Ratio(pycoco / b.Max)}x");
        Console.WriteLine($"C# (b1) parse + rasterise, 1 core:  {Units.Seconds(b1.MedianSeconds)} s (runs {b1.Range} s)  -> {Units.Ratio(pycoco / b1.MedianSeconds)}x faster");
        Console.WriteLine($"memory: pycocotools loader peak {Units.Mib(py.PeakBytes)} MiB vs C# (b) {Units.Mib(b.Median.PeakBytes)} MiB ({Units.Ratio((double)py.PeakBytes / b.Median.PeakBytes)}x less)");
        Console.WriteLine($"rasteriser alone, 1 thread: C rleFrPoly {Units.Seconds(frpolyMedian)} s vs C# Rle.FromPolygons {Units.Seconds(only.MedianSeconds)} s ({Units.Ratio(only.MedianSeconds / frpolyMedian)}x the C time)");
    }
}
