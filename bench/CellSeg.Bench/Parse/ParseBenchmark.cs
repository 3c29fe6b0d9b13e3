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
        Console.WriteLine($"runs      each measurement {options.Repeat}x, each run in a fresh process started on a quiet machine; figures from the median run");
        Console.WriteLine();

        var rows = new List<(string Key, string Label, Repeated<Measured<ParseFigures>> Runs)>();
        foreach (var (mode, label) in ParseMeasurement.Modes)
        {
            rows.Add((mode, label, await MeasureAsync(options, file, mode, label, singleCore: false, ct).ConfigureAwait(false)));
            if (mode == "rasterise")
            {
                rows.Add(("rasterise-1core", "(b1) parse + rasterise, pinned to 1 core (taskset -c 0)", await MeasureAsync(options, file, mode, "(b1) pinned to one core", singleCore: true, ct).ConfigureAwait(false)));
            }
        }

        var table = new TextTable("measurement", "wall s", "range s", "CPU s", "polygons/s", "MiB/s", "peak MiB", "peak/file", "GC alloc MiB", "other cores");
        foreach (var (_, label, runs) in rows)
        {
            var f = runs.Median.Figures;
            table.Add(
                label,
                Units.Seconds(f.WallS),
                runs.Range,
                Units.Seconds(f.CpuS),
                Units.Rate(file.Polygons / f.WallS),
                f.Mode == "rasterise-only" ? "-" : Units.Rate(mib / f.WallS),
                Units.Mib(f.PeakBytes),
                Units.Ratio((double)f.PeakBytes / file.Bytes),
                Units.Mib(f.AllocatedBytes),
                MachineLoad.MostOtherCores(runs.Runs));
        }

        Console.WriteLine(table);
        var only = Find(rows, "rasterise-only").Median.Figures;
        Console.WriteLine($"(rasterise-only first loads the file, untimed: {Units.Seconds(only.SetupS)} s; its peak includes that load.)");
        Console.WriteLine($"other cores: the most CPU other processes used during a kept run of the row; a run where they used over {MachineLoad.DisturbedCores} cores is measured again (up to 3 times), and marked * if it never ran undisturbed.");
        Console.WriteLine();
        PrintPhaseCpu(rows);

        if (!options.Anchor)
        {
            Console.WriteLine("pycocotools anchors skipped (--no-anchor)");
            return;
        }

        await CompareAsync(options, file, rows, ct).ConfigureAwait(false);
    }

    private static async Task<Repeated<Measured<ParseFigures>>> MeasureAsync(BenchOptions options, TrainFile file, string mode, string label, bool singleCore, CancellationToken ct)
    {
        var runs = await Repeated<Measured<ParseFigures>>.RunAsync(
            options.Repeat,
            async i =>
            {
                Console.Error.WriteLine($"  {label}, run {i + 1} of {options.Repeat} ...");
                return await ChildProcess.RunUndisturbedAsync(() => ChildProcess.RunSelfAsync<ParseFigures>(["parse-one", "--mode", mode, "--file", file.JsonPath], singleCore, ct)).ConfigureAwait(false);
            },
            m => m.Figures.WallS).ConfigureAwait(false);
        foreach (var f in runs.Runs.Select(r => r.Figures))
        {
            if (f.Annotations != 0 && f.Annotations != file.Annotations)
            {
                throw new BenchException($"{label}: read {f.Annotations} annotations, the file holds {file.Annotations}");
            }
        }

        return runs;
    }

    /// <summary>
    /// CPU seconds per phase, the least over runs: wall time on a shared machine says little, CPU time
    /// per phase says which side of the two-core pipeline to work on and what wall time it allows.
    /// </summary>
    private static void PrintPhaseCpu(List<(string Key, string Label, Repeated<Measured<ParseFigures>> Runs)> rows)
    {
        static double MinCpu(Repeated<Measured<ParseFigures>> runs) => runs.Runs.Min(r => r.Figures.CpuS);
        var parse = MinCpu(Find(rows, "stream"));
        var rasterise = MinCpu(Find(rows, "rasterise-only"));
        var both = Find(rows, "rasterise");
        var total = MinCpu(both);
        var gc = both.Runs.Min(r => r.Figures.GcPauseS);
        Console.WriteLine("CPU per phase (least over runs):");
        Console.WriteLine($"  parse (a), reader thread             {Units.Seconds(parse)} CPU-s");
        Console.WriteLine($"  rasterise alone, 1 thread            {Units.Seconds(rasterise)} CPU-s");
        Console.WriteLine($"  (b) both, all threads                {Units.Seconds(total)} CPU-s; rest (hand-off, checks, GC) {Units.Seconds(total - parse - rasterise)} CPU-s; GC pauses {Units.Seconds(gc)} s");
        Console.WriteLine($"  (b) on 2 cores can take no less than {Units.Seconds(Math.Max(total / 2, parse))} s wall (max of half its CPU and the reader's share)");
        Console.WriteLine();
    }

    private static string Runs<T>(Repeated<T> runs) => runs.Runs.Count > 1 ? $" (runs {runs.Range} s)" : string.Empty;

    private static Repeated<Measured<ParseFigures>> Find(List<(string Key, string Label, Repeated<Measured<ParseFigures>> Runs)> rows, string key) =>
        rows.First(r => r.Key == key).Runs;

    private static async Task CompareAsync(BenchOptions options, TrainFile file, List<(string Key, string Label, Repeated<Measured<ParseFigures>> Runs)> rows, CancellationToken ct)
    {
        Console.WriteLine("-- comparator: pycocotools' COCO() loader + annToRLE on the same file --");
        if (!File.Exists(Anchors.Python))
        {
            Console.WriteLine($"Python anchor skipped: {Anchors.Python} not found; no ratio");
            return;
        }

        var python = await Repeated<Measured<PythonFigures>>.RunAsync(
            options.Repeat,
            i => ChildProcess.RunUndisturbedAsync(() => Anchors.RunPythonAsync(file.JsonPath, i, options.Repeat, ct)),
            m => m.Figures.JsonLoadS + m.Figures.CreateIndexS).ConfigureAwait(false);
        var skipped = Anchors.WhyNoC(options.CocoApiDir);
        if (skipped is not null)
        {
            Console.WriteLine("C anchor skipped: " + skipped + "; no ratio");
        }

        var c = skipped is null
            ? await Repeated<Measured<CFigures>>.RunAsync(
                options.Repeat,
                i => ChildProcess.RunUndisturbedAsync(() => Anchors.RunCAsync(options.CocoApiDir!, file.PolygonDumpPath, options.WorkDir, i, options.Repeat, ct)),
                m => m.Figures.AnntorleS).ConfigureAwait(false)
            : null;

        var py = python.Median.Figures;
        var table = new TextTable("pycocotools step", "s", "range s", "polygons/s", "peak MiB", "other cores", "how");
        table.Add("json.load", Units.Seconds(py.JsonLoadS), new Repeated<Measured<PythonFigures>>(python.Runs, m => m.Figures.JsonLoadS).Range, Units.Rate(file.Polygons / py.JsonLoadS), Units.Mib(py.PeakBytes), MachineLoad.MostOtherCores(python.Runs), $"Python {py.Python} (/usr/bin/python3), measured");
        table.Add("createIndex (anns, imgs, imgToAnns, catToImgs)", Units.Seconds(py.CreateIndexS), new Repeated<Measured<PythonFigures>>(python.Runs, m => m.Figures.CreateIndexS).Range, "-", "-", string.Empty, "measured");
        if (c is not null)
        {
            var cc = c.Median.Figures;
            var frpoly = new Repeated<Measured<CFigures>>(c.Runs, m => m.Figures.FrpolyS);
            table.Add("rleFrPoly only (C, 1 thread)", Units.Seconds(frpoly.MedianSeconds), frpoly.Range, Units.Rate(cc.Polygons / frpoly.MedianSeconds), "-", MachineLoad.MostOtherCores(c.Runs), "maskApi.c -O3, measured");
            table.Add("annToRLE's C calls (frPoly, toString, frString, merge, toString)", Units.Seconds(cc.AnntorleS), c.Range, Units.Rate(cc.Polygons / cc.AnntorleS), "-", string.Empty, "maskApi.c -O3, measured; Python overhead not counted");
        }

        Console.WriteLine(table);
        if (c is null)
        {
            return;
        }

        var pycoco = py.JsonLoadS + py.CreateIndexS + c.Median.Figures.AnntorleS;
        var b = Find(rows, "rasterise");
        var b1 = Find(rows, "rasterise-1core");
        var only = Find(rows, "rasterise-only");
        var frpolyMedian = new Repeated<Measured<CFigures>>(c.Runs, m => m.Figures.FrpolyS).MedianSeconds;
        var spread = b.Runs.Count > 1 ? $"; best run {Units.Ratio(pycoco / b.Min)}x, worst {Units.Ratio(pycoco / b.Max)}x" : string.Empty;
        Console.WriteLine($"pycocotools COCO() + annToRLE, lower bound = json.load + createIndex + annToRLE C calls = {Units.Seconds(pycoco)} s");
        Console.WriteLine($"C# (b) parse + rasterise, {b.Median.Figures.Cores} cores:  {Units.Seconds(b.MedianSeconds)} s{Runs(b)}  -> {Units.Ratio(pycoco / b.MedianSeconds)}x faster (target >= 3x){spread}");
        Console.WriteLine($"C# (b1) parse + rasterise, 1 core:  {Units.Seconds(b1.MedianSeconds)} s{Runs(b1)}  -> {Units.Ratio(pycoco / b1.MedianSeconds)}x faster");
        Console.WriteLine($"memory: pycocotools loader peak {Units.Mib(py.PeakBytes)} MiB vs C# (b) {Units.Mib(b.Median.Figures.PeakBytes)} MiB ({Units.Ratio((double)py.PeakBytes / b.Median.Figures.PeakBytes)}x less)");
        Console.WriteLine($"rasteriser alone, 1 thread: C rleFrPoly {Units.Seconds(frpolyMedian)} s vs C# Rle.FromPolygons {Units.Seconds(only.MedianSeconds)} s ({Units.Ratio(only.MedianSeconds / frpolyMedian)}x the C time)");
    }
}
