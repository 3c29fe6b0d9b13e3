using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Synthesis;

// Synthetic generation benchmark. `run` (default) starts one child process per measurement so each
// peak-memory figure (VmHWM) belongs to that measurement alone; `one` is such a child.
var shared = Path.GetFullPath(Path.Combine(FindRepoRoot(), "..", "shared", "data", "livecell-sample"));
var work = Path.Combine(Path.GetTempPath(), "cellseg-synth-bench");
var command = args.Length > 0 ? args[0] : "run";
var scale = args.Length > 1 && command == "run" ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1.0;
if (command == "preview")
{
    // preview TYPE OUT.png [overlap]: a Figure-4-style sheet from the real sample, levels 20, 100, 500, 1000.
    var previewBank = await BuildBankAsync();
    var overlap = args.Length > 3 ? OverlapModes.Parse(args[3]) : OverlapMode.Bounded;
    await PreviewSheet.WritePngAsync(previewBank, args[1], [20, 100, 500, 1000], new SynthesisOptions { Seed = 2021, Overlap = overlap }, args[2]);
    return 0;
}

if (command == "compose")
{
    // compose DENSITY MODE IMAGES [PARTS]: compose (+ e: encode, t: TIFF Deflate Fastest, s: TIFF stored) in memory
    // on one thread, for profilers (perf stat / record). PARTS defaults to "et".
    var parts = args.Length > 4 ? args[4] : "et";
    var composeBank = await BuildBankAsync();
    var composeOptions = new SynthesisOptions { Overlap = OverlapModes.Parse(args[2]), Seed = 2021 };
    var composer = new ImageComposer();
    var encoder = new InstanceEncoder();
    ComposedImage? reuse = null;
    using var memory = new MemoryStream(1 << 20);
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < int.Parse(args[3], CultureInfo.InvariantCulture); i++)
    {
        var type = composeBank.CellTypes[i % composeBank.CellTypes.Count];
        reuse = composer.Compose(composeBank, type, int.Parse(args[1], CultureInfo.InvariantCulture), composeOptions, SyntheticGenerator.ImageSeed(2021, 1, type, i), reuse);
        if (parts.Contains('e'))
        {
            encoder.Encode(reuse.Labels, reuse.Width, reuse.Height, reuse.Placements.Count);
        }

        if (parts.Contains('t') || parts.Contains('s'))
        {
            memory.SetLength(0);
            await GrayImageIO.WriteTiffAsync(new GrayImage(reuse.Width, reuse.Height, reuse.Pixels), memory, parts.Contains('s') ? CompressionLevel.NoCompression : CompressionLevel.Fastest);
        }
    }

    Console.WriteLine($"{clock.Elapsed.TotalMilliseconds:F0} ms");
    return 0;
}

if (command == "diagnose")
{
    return await Diagnose.RunAsync(shared, args.Length > 1 ? args[1] : Path.Combine(work, "diagnostics"), args.Skip(2).ToArray());
}

if (command == "one")
{
    return await OneAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture), args.Length > 5 ? args[5] : "fastest");
}

Console.WriteLine($"# synthetic generation, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine("bank: LIVECell sample test+val (20 real images, 4,528 cells); images 704x520; COCO RLE; images and annotations written to disk (TIFF: stored = Deflate without compression, the default, or Deflate Fastest)");
Console.WriteLine();
Console.WriteLine("| cells/image | overlap | threads | TIFF | images | placed/image | wall s | CPU s | images/s | images/s per core (CPU) | compose / encode / TIFF Fastest, ms per image (28 images, incl. JIT warm-up) | TIFF Fastest size | stored TIFF: ms, size | peak MiB | load avg before–after |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var (density, mode, threads, tiff) in new[]
{
    (20, "bounded", 1, "stored"), (20, "bounded", 1, "fastest"), (100, "bounded", 1, "stored"), (1000, "bounded", 1, "stored"),
    (1000, "bounded", 1, "fastest"), (1000, "none", 1, "stored"), (1000, "clustered", 1, "stored"), (1000, "bounded", Environment.ProcessorCount, "stored"),
})
{
    var images = (int)Math.Max(7, Math.Round(700 * scale));
    var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
    foreach (var a in Environment.GetCommandLineArgs()[0].EndsWith(".dll", StringComparison.Ordinal) ? [Environment.GetCommandLineArgs()[0]] : Array.Empty<string>())
    {
        psi.ArgumentList.Add(a);
    }

    foreach (var a in new[] { "one", mode, density.ToString(CultureInfo.InvariantCulture), images.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture), tiff })
    {
        psi.ArgumentList.Add(a);
    }

    using var child = Process.Start(psi)!;
    var output = await child.StandardOutput.ReadToEndAsync();
    await child.WaitForExitAsync();
    Console.WriteLine(output.Trim());
}

return 0;

async Task<CellBank> BuildBankAsync()
{
    var test = await CocoReader.LoadAsync(Path.Combine(shared, "annotations", "livecell_coco_test.json"));
    var val = await CocoReader.LoadAsync(Path.Combine(shared, "annotations", "livecell_coco_val.json"));
    var both = new CocoDataset([.. test.Images, .. val.Images], test.Categories, [.. test.Annotations, .. val.Annotations]);
    var testFolder = Path.Combine(shared, "images", "livecell_test_images");
    var valFolder = Path.Combine(shared, "images", "livecell_train_val_images");
    return await CellBank.BuildAsync(both, i => File.Exists(Path.Combine(testFolder, i.FileName)) ? Path.Combine(testFolder, i.FileName) : Path.Combine(valFolder, i.FileName));
}

async Task<int> OneAsync(string mode, int density, int images, int threads, string tiff)
{
    var load0 = File.ReadAllText("/proc/loadavg").Split(' ')[0];
    var bank = await BuildBankAsync();
    var perType = Math.Max(1, images / bank.CellTypes.Count);
    var options = new SynthesisOptions
    {
        ImagesPerCellType = perType,
        Overlap = OverlapModes.Parse(mode),
        MaxDegreeOfParallelism = threads,
        Seed = 2021,
        TiffCompression = tiff == "stored" ? CompressionLevel.NoCompression : CompressionLevel.Fastest,
    };
    var folder = Path.Combine(work, $"d{density}-{mode}-{threads}");
    if (Directory.Exists(folder))
    {
        Directory.Delete(folder, true);
    }

    // Where the time goes, on one thread, for a few images (this also warms up the JIT).
    var composer = new ImageComposer();
    var encoder = new InstanceEncoder();
    double composeMs = 0, encodeMs = 0, tiffMs = 0, storedMs = 0, tiffBytes = 0, storedBytes = 0;
    ComposedImage? reuse = null;
    var sample = Math.Min(images, 28);
    for (var i = 0; i < sample; i++)
    {
        var type = bank.CellTypes[i % bank.CellTypes.Count];
        var t = Stopwatch.StartNew();
        var image = reuse = composer.Compose(bank, type, density, options, SyntheticGenerator.ImageSeed(options.Seed, density, type, i), reuse);
        composeMs += t.Elapsed.TotalMilliseconds;
        t.Restart();
        encoder.Encode(image.Labels, image.Width, image.Height, image.Placements.Count);
        encodeMs += t.Elapsed.TotalMilliseconds;
        t.Restart();
        using var memory = new MemoryStream();
        await GrayImageIO.WriteTiffAsync(new GrayImage(image.Width, image.Height, image.Pixels), memory, CompressionLevel.Fastest);
        tiffMs += t.Elapsed.TotalMilliseconds;
        tiffBytes += memory.Length;
        t.Restart();
        using var stored = new MemoryStream();
        await GrayImageIO.WriteTiffAsync(new GrayImage(image.Width, image.Height, image.Pixels), stored, CompressionLevel.NoCompression);
        storedMs += t.Elapsed.TotalMilliseconds;
        storedBytes += stored.Length;
    }

    // Warm-up (JIT), then the measured run.
    await SyntheticGenerator.GenerateAsync(bank, density, options with { ImagesPerCellType = 1 }, folder + "-warm");
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var set = await SyntheticGenerator.GenerateAsync(bank, density, options, folder);
    var wall = clock.Elapsed.TotalSeconds;
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
    var n = set.ImageFiles.Count;

    var placed = (double)set.Placed / n;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {density} | {mode} | {threads} | {tiff} | {n} | {placed:F0} | {wall:F2} | {cpu:F2} | {n / wall:F0} | {n / cpu:F0} | {composeMs / sample:F2} / {encodeMs / sample:F2} / {tiffMs / sample:F2} | {tiffBytes / sample / 1024:F0} KiB | {storedMs / sample:F2} ms, {storedBytes / sample / 1024:F0} KiB | {PeakMib():F0} | {load0}–{File.ReadAllText("/proc/loadavg").Split(' ')[0]} |"));
    Directory.Delete(folder, true);
    Directory.Delete(folder + "-warm", true);
    return 0;
}

static double PeakMib()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
    }

    return double.NaN;
}

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CellSegFlows.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? Directory.GetCurrentDirectory();
}
