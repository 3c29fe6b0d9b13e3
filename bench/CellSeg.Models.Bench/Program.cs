using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Data;
using CellSeg.Data.Imaging;
using CellSeg.Models;
using CellSeg.Models.Data;
using CellSeg.Models.Inference;
using CellSeg.Models.Networks;
using CellSeg.Models.Training;
using static TorchSharp.torch;

// U-Net benchmark: a bare training step (batch 4×1×256×256), the full training loop on real LIVECell
// images (loading, cropping, augmentation and prefetch included) and 704×520 inference, each in its own
// child process (so peak memory belongs to one phase), beside the same network in PyTorch.
//
//   dotnet run -c Release --project bench/CellSeg.Models.Bench -- [--base 16,32] [--threads 2] [--steps 10]
//       [--loop-steps 20] [--repeat 1] [--shared ../shared] [--python /usr/bin/python3] [--no-pytorch]
// CenterMask (training step, inference, RoIAlign alone; beside bench/pytorch/centermask_bench.py):
//   dotnet run -c Release --project bench/CellSeg.Models.Bench -- centermask [--help: see CenterMask/CenterMaskBench.cs]
// CenterMask from scratch, TorchSharp vs the PyTorch mirror from the same weights (bench/pytorch/centermask_mirror.py):
//   dotnet run -c Release --project bench/CellSeg.Models.Bench -- centermask-curves [--help: see CenterMask/CenterMaskCurvesBench.cs]
// The TorchSharp finalizer race (implicit vs held scalars under forced GCs; README):
//   dotnet run -c Release --project bench/CellSeg.Models.Bench -- scalar-race [RUNS=10] [SECONDS=20]
CellSeg.Models.Runtime.TorchRuntime.Initialize();   // as every entry point does, before the first tensor
if (args.Length > 0 && args[0] == "centermask")
{
    return CellSeg.Models.Bench.CenterMask.CenterMaskBench.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "centermask-curves")
{
    return CellSeg.Models.Bench.CenterMask.CenterMaskCurvesBench.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "scalar-race")
{
    return CellSeg.Models.Bench.ScalarRaceBench.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "scalar-race-child")
{
    return ScalarRace.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
}

var opts = Args.Parse(args);
if (opts.Phase is { } phase)
{
    var result = phase switch
    {
        "step" => Phases.Step(opts),
        "loop" => await Phases.LoopAsync(opts),
        "infer" => await Phases.InferAsync(opts),
        _ => throw new ArgumentException("unknown phase " + phase),
    };
    result["peak_rss_mb"] = Phases.PeakRssMb();
    Console.WriteLine(result.ToJsonString());
    return 0;
}

Console.WriteLine($"# U-Net benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"machine: {Phases.Machine()}; threads {opts.Threads}; TorchSharp backend {TorchDevices.BuildBackend}; best of {opts.Repeat} run(s) per phase");
Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
Console.WriteLine();
Console.WriteLine("| base | params | C# step (ms) | C# step img/s | C# loop img/s (overall) | loop/step | PyTorch step (ms) | PyTorch img/s | C# loop / PyTorch | C# infer 704×520 (ms) | PyTorch infer (ms) | peak RSS step / loop / infer (MB) | PyTorch peak (MB) | RSS growth, loop's 2nd half (MB) |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var b in opts.Bases)
{
    // Best of --repeat runs per phase, interleaved, so a burst of load from other processes spoils one run, not the row.
    JsonNode? bestStep = null, bestLoop = null, bestInfer = null, py = null;
    for (var r = 0; r < opts.Repeat; r++)
    {
        bestStep = Best(bestStep, Child(opts, "step", b), "step_s", lower: true);
        bestLoop = Best(bestLoop, Child(opts, "loop", b), "loop_images_per_s", lower: false);
        bestInfer = Best(bestInfer, Child(opts, "infer", b), "inference_s", lower: true);
        py = opts.PyTorch ? Best(py, PyTorch(opts, b), "step_s", lower: true) : null;
    }

    var step = bestStep!;
    var loop = bestLoop!;
    var infer = bestInfer!;
    var stepMs = step["step_s"]!.GetValue<double>() * 1000;
    var stepRate = step["step_images_per_s"]!.GetValue<double>();
    var loopRate = loop["loop_images_per_s"]!.GetValue<double>();
    var pyRate = py?["step_images_per_s"]?.GetValue<double>();
    string F(double? v, string f = "F0") => v?.ToString(f, CultureInfo.InvariantCulture) ?? "–";
    Console.WriteLine($"| {b} | {step["params"]} | {F(stepMs)} | {F(stepRate, "F2")} | {F(loopRate, "F2")} ({F(loop["loop_overall_images_per_s"]!.GetValue<double>(), "F2")}) | {F(loopRate / stepRate * 100)}% | " +
        $"{F(py?["step_s"]?.GetValue<double>() * 1000)} | {F(pyRate, "F2")} | {F(pyRate is null ? null : loopRate / pyRate, "F2")}× | " +
        $"{F(infer["inference_s"]!.GetValue<double>() * 1000)} | {F(py?["inference_s"]?.GetValue<double>() * 1000)} | " +
        $"{F(step["peak_rss_mb"]!.GetValue<double>())} / {F(loop["peak_rss_mb"]!.GetValue<double>())} / {F(infer["peak_rss_mb"]!.GetValue<double>())} | " +
        $"{F(py?["peak_rss_mb"]?.GetValue<double>())} | {F(loop["rss_growth_mb"]!.GetValue<double>(), "F1")} |");
}

Console.WriteLine();
Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");

return 0;

static JsonNode? Best(JsonNode? best, JsonNode? candidate, string key, bool lower)
{
    if (best is null || candidate is null)
    {
        return best ?? candidate;
    }

    var (a, c) = (best[key]!.GetValue<double>(), candidate[key]!.GetValue<double>());
    return (lower ? c < a : c > a) ? candidate : best;
}

JsonNode Child(Args o, string phase, int b)
{
    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
    {
        info.ArgumentList.Add(typeof(Args).Assembly.Location);
    }

    foreach (var a in new[] { "--phase", phase, "--base", b.ToString(CultureInfo.InvariantCulture), "--threads", o.Threads.ToString(CultureInfo.InvariantCulture),
                 "--steps", o.Steps.ToString(CultureInfo.InvariantCulture), "--loop-steps", o.LoopSteps.ToString(CultureInfo.InvariantCulture), "--shared", o.Shared })
    {
        info.ArgumentList.Add(a);
    }

    using var p = Process.Start(info)!;
    var output = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0)
    {
        throw new InvalidOperationException($"phase {phase} (base {b}) failed with exit code {p.ExitCode}");
    }

    return JsonNode.Parse(output.Trim().Split('\n')[^1])!;
}

JsonNode? PyTorch(Args o, int b)
{
    var script = Path.Combine(Phases.RepoRoot(), "bench", "pytorch", "unet_bench.py");
    var info = new ProcessStartInfo(o.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in new[] { script, "--base", b.ToString(CultureInfo.InvariantCulture), "--threads", o.Threads.ToString(CultureInfo.InvariantCulture),
                 "--steps", o.Steps.ToString(CultureInfo.InvariantCulture) })
    {
        info.ArgumentList.Add(a);
    }

    try
    {
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            Console.Error.WriteLine($"PyTorch run failed (is python3-torch installed? apt-get install python3-torch): {error.Trim()}");
            return null;
        }

        return JsonNode.Parse(output.Trim().Split('\n')[^1]);
    }
    catch (System.ComponentModel.Win32Exception e)
    {
        Console.Error.WriteLine($"PyTorch run skipped: {o.Python}: {e.Message}");
        return null;
    }
}

internal sealed record Args(int[] Bases, int Threads, int Steps, int LoopSteps, string Shared, string Python, bool PyTorch, string? Phase, int Repeat = 1)
{
    public static Args Parse(string[] args)
    {
        var a = new Args([16, 32], 2, 10, 20, Path.Combine(Phases.RepoRoot(), "..", "shared"), "/usr/bin/python3", true, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            a = args[i] switch
            {
                "--base" => a with { Bases = Next().Split(',').Select(int.Parse).ToArray() },
                "--threads" => a with { Threads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--steps" => a with { Steps = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--loop-steps" => a with { LoopSteps = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--shared" => a with { Shared = Next() },
                "--python" => a with { Python = Next() },
                "--no-pytorch" => a with { PyTorch = false },
                "--repeat" => a with { Repeat = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--phase" => a with { Phase = Next() },
                _ => throw new ArgumentException("unknown option " + args[i]),
            };
        }

        return a;
    }
}

internal static class Phases
{
    private const int Batch = 4;
    private const int Crop = 256;
    private const int Warmup = 2;

    public static JsonObject Step(Args o)
    {
        TorchDevices.SetThreads(o.Threads);
        using var model = SegmentationModel.Create(UNetArchitectures.UNet, new UNetOptions { BaseChannels = o.Bases[0] });
        using var optimizer = optim.RMSProp(model.Network.parameters(), 1e-5, weight_decay: 1e-8, momentum: 0.9);
        using var x = randn(Batch, 1, Crop, Crop);
        using var y = (rand(Batch, 1, Crop, Crop) > 0.7).to(ScalarType.Float32);
        model.Network.train();
        var times = new List<double>();
        for (var i = 0; i < Warmup + o.Steps; i++)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = SegmentationLoss.BceDice(model.Network.forward(x), y);
                loss.backward();
                optimizer.step();
                _ = loss.item<float>();
            }

            if (i >= Warmup)
            {
                times.Add(clock.Elapsed.TotalSeconds);
            }
        }

        var median = times.Order().ElementAt(times.Count / 2);
        return new JsonObject { ["params"] = model.ParameterCount, ["step_s"] = median, ["step_images_per_s"] = Batch / median };
    }

    public static async Task<JsonObject> LoopAsync(Args o)
    {
        var data = await LoadAsync(o);
        var folder = Path.Combine(Path.GetTempPath(), "cellseg-models-bench-" + Guid.NewGuid().ToString("N"));
        Stopwatch? clock = null;
        var stepEnds = new List<double>();
        double rssAtWarmup = 0, rssAtEnd = 0;
        var total = Warmup + o.LoopSteps;
        var progress = new SyncProgress<TrainProgress>(p =>
        {
            if (p.Event != TrainEvent.Iteration)
            {
                return;
            }

            if (p.Iteration == Warmup)
            {
                clock = Stopwatch.StartNew();
            }
            else if (p.Iteration > Warmup)
            {
                stepEnds.Add(clock!.Elapsed.TotalSeconds);
            }

            if (p.Iteration == Warmup + o.LoopSteps / 2)
            {
                rssAtWarmup = CurrentRssMb();
            }
            else if (p.Iteration == total)
            {
                clock!.Stop();
                rssAtEnd = CurrentRssMb();
            }
        });
        try
        {
            await UNetTrainer.TrainAsync(new TrainOptions
            {
                Train = data,
                Shape = new UNetOptions { BaseChannels = o.Bases[0] },
                Augmentation = new AugmentationOptions { CropSize = Crop },
                BatchSize = Batch,
                IterationsPerEpoch = total,
                Epochs = 1,
                Threads = o.Threads,
                OutputModelPath = Path.Combine(folder, "bench.model"),
            }, progress);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, true);
            }
        }

        // Per-step wall time, data waits included; the median, like the bare step's, is robust to bursts of load from
        // other processes, while a loader that cannot keep up would slow every step and so the median too.
        var intervals = stepEnds.Select((t, i) => t - (i == 0 ? 0 : stepEnds[i - 1])).Order().ToList();
        var median = intervals[intervals.Count / 2];
        return new JsonObject
        {
            ["loop_images_per_s"] = Batch / median,
            ["loop_overall_images_per_s"] = o.LoopSteps * Batch / clock!.Elapsed.TotalSeconds,
            ["images"] = data.Count,
            ["rss_growth_mb"] = rssAtEnd - rssAtWarmup,
            ["step_intervals_s"] = new JsonArray([.. stepEnds.Select((t, i) => (JsonNode)JsonValue.Create(Math.Round(t - (i == 0 ? 0 : stepEnds[i - 1]), 3)))]),
        };
    }

    public static async Task<JsonObject> InferAsync(Args o)
    {
        TorchDevices.SetThreads(o.Threads);
        var image = await GrayImageIO.ReadAsync(Directory.EnumerateFiles(Path.Combine(o.Shared, "data", "livecell-sample", "images", "livecell_test_images"), "*.tif").Order().First());
        using var model = SegmentationModel.Create(UNetArchitectures.UNet, new UNetOptions { BaseChannels = o.Bases[0] });
        var segmenter = new UNetSegmenter(model);
        var times = new List<double>();
        for (var i = 0; i < 1 + 5; i++)
        {
            var clock = Stopwatch.StartNew();
            _ = segmenter.PredictProbabilities(image);
            if (i >= 1)
            {
                times.Add(clock.Elapsed.TotalSeconds);
            }
        }

        return new JsonObject { ["inference_s"] = times.Order().ElementAt(times.Count / 2), ["width"] = image.Width, ["height"] = image.Height };
    }

    public static double PeakRssMb() => Status("VmHWM:");

    public static double CurrentRssMb() => Status("VmRSS:");

    public static string Machine()
    {
        try
        {
            var psi = new ProcessStartInfo("lscpu") { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi)!;
            var lines = p.StandardOutput.ReadToEnd().Split('\n');
            p.WaitForExit();
            string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
            return $"{Field("Model name")}, {Field("CPU(s)")} CPUs, {Environment.OSVersion}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"{Environment.ProcessorCount} CPUs, {Environment.OSVersion}";
        }
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CellSegFlows.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    private static async Task<SegmentationDataset> LoadAsync(Args o)
    {
        var root = Path.Combine(o.Shared, "data", "livecell-sample");
        var test = await SegmentationDataset.LoadAsync(Path.Combine(root, "annotations", "livecell_coco_test.json"), Path.Combine(root, "images", "livecell_test_images"));
        var val = await SegmentationDataset.LoadAsync(Path.Combine(root, "annotations", "livecell_coco_val.json"), Path.Combine(root, "images", "livecell_train_val_images"));
        return new SegmentationDataset([.. test.Samples, .. val.Samples]);
    }

    private static double Status(string key)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }
}
