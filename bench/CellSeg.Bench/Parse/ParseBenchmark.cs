using CellSeg.Bench.Generation;
using CellSeg.Bench.Infrastructure;

namespace CellSeg.Bench.Parse;

/// <summary>
/// `parse`: a LIVECell-train-sized COCO file, read three ways (streaming, streaming + rasterising,
/// fully in memory), each in its own process; then the same file through the pycocotools anchors.
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
        Console.WriteLine();

        var runs = new List<(string Label, ParseFigures Figures)>();
        foreach (var (mode, label) in ParseMeasurement.Modes)
        {
            Console.Error.WriteLine($"  {label} ...");
            var figures = await ChildProcess.RunSelfAsync<ParseFigures>(["parse-one", "--mode", mode, "--file", file.JsonPath], singleCore: false, ct).ConfigureAwait(false);
            runs.Add((label, figures));
            if (mode == "rasterise")
            {
                Console.Error.WriteLine("  (b) again, pinned to one core (taskset -c 0) ...");
                var single = await ChildProcess.RunSelfAsync<ParseFigures>(["parse-one", "--mode", mode, "--file", file.JsonPath], singleCore: true, ct).ConfigureAwait(false);
                runs.Add(("(b1) parse + rasterise, pinned to 1 core", single));
            }
        }

        var table = new TextTable("measurement", "wall s", "CPU s", "polygons/s", "MiB/s", "peak MiB", "peak/file", "GC alloc MiB");
        foreach (var (label, f) in runs)
        {
            table.Add(
                label,
                Units.Seconds(f.WallS),
                Units.Seconds(f.CpuS),
                Units.Rate(file.Polygons / f.WallS),
                f.Mode == "rasterise-only" ? "-" : Units.Rate(mib / f.WallS),
                Units.Mib(f.PeakBytes),
                Units.Ratio((double)f.PeakBytes / file.Bytes),
                Units.Mib(f.AllocatedBytes));
        }

        Console.WriteLine(table);
        Check(runs, file);
        var loadSetup = runs.First(r => r.Figures.Mode == "rasterise-only").Figures.SetupS;
        Console.WriteLine($"(rasterise-only first loads the file, untimed: {Units.Seconds(loadSetup)} s; its peak includes that load.)");
        Console.WriteLine();

        if (!options.Anchor)
        {
            Console.WriteLine("pycocotools anchors skipped (--no-anchor)");
            return;
        }

        await CompareAsync(options, file, runs, ct).ConfigureAwait(false);
    }

    private static void Check(List<(string Label, ParseFigures Figures)> runs, TrainFile file)
    {
        foreach (var (label, f) in runs)
        {
            if (f.Annotations != 0 && f.Annotations != file.Annotations)
            {
                throw new BenchException($"{label}: read {f.Annotations} annotations, the file holds {file.Annotations}");
            }
        }
    }

    private static async Task CompareAsync(BenchOptions options, TrainFile file, List<(string Label, ParseFigures Figures)> runs, CancellationToken ct)
    {
        Console.WriteLine("-- comparator: pycocotools' COCO() loader + annToRLE on the same file --");
        var (py, pySkipped) = await Anchors.RunPythonAsync(file.JsonPath, ct).ConfigureAwait(false);
        var (c, cSkipped) = await Anchors.RunCAsync(options.CocoApiDir, file.PolygonDumpPath, options.WorkDir, ct).ConfigureAwait(false);
        var table = new TextTable("pycocotools step", "s", "polygons/s", "peak MiB", "how");
        if (py is not null)
        {
            table.Add("json.load", Units.Seconds(py.JsonLoadS), Units.Rate(file.Polygons / py.JsonLoadS), Units.Mib(py.PeakBytes), $"Python {py.Python}, measured");
            table.Add("createIndex (anns, imgs, imgToAnns, catToImgs)", Units.Seconds(py.CreateIndexS), "-", "-", "measured");
        }
        else
        {
            Console.WriteLine("Python anchor skipped: " + pySkipped);
        }

        if (c is not null)
        {
            table.Add("rleFrPoly only (C, 1 thread)", Units.Seconds(c.FrpolyS), Units.Rate(c.Polygons / c.FrpolyS), "-", "maskApi.c, measured");
            table.Add("annToRLE C calls (frPoly+toString+frString+merge+toString)", Units.Seconds(c.AnntorleS), Units.Rate(c.Polygons / c.AnntorleS), "-", "maskApi.c, measured; Python overhead not counted");
        }
        else
        {
            Console.WriteLine("C anchor skipped: " + cSkipped);
        }

        Console.WriteLine(table);
        if (py is null || c is null)
        {
            Console.WriteLine("no ratio: both anchors are needed");
            return;
        }

        var pycoco = py.JsonLoadS + py.CreateIndexS + c.AnntorleS;
        var b = runs.First(r => r.Figures.Mode == "rasterise" && r.Label.StartsWith("(b)", StringComparison.Ordinal)).Figures;
        var b1 = runs.First(r => r.Label.StartsWith("(b1)", StringComparison.Ordinal)).Figures;
        var only = runs.First(r => r.Figures.Mode == "rasterise-only").Figures;
        Console.WriteLine($"pycocotools COCO() + annToRLE, lower bound = json.load + createIndex + annToRLE C calls = {Units.Seconds(pycoco)} s");
        Console.WriteLine($"C# (b) parse + rasterise, {b.Cores} cores:  {Units.Seconds(b.WallS)} s  -> {Units.Ratio(pycoco / b.WallS)}x faster (target >= 3x)");
        Console.WriteLine($"C# (b1) parse + rasterise, 1 core:  {Units.Seconds(b1.WallS)} s  -> {Units.Ratio(pycoco / b1.WallS)}x faster");
        Console.WriteLine($"memory: pycocotools loader peak {Units.Mib(py.PeakBytes)} MiB vs C# (b) {Units.Mib(b.PeakBytes)} MiB ({Units.Ratio((double)py.PeakBytes / b.PeakBytes)}x less)");
        Console.WriteLine($"rasteriser alone, 1 thread: C rleFrPoly {Units.Seconds(c.FrpolyS)} s vs C# Rle.FromPolygons {Units.Seconds(only.WallS)} s ({Units.Ratio(only.WallS / c.FrpolyS)}x the C time)");
    }
}
