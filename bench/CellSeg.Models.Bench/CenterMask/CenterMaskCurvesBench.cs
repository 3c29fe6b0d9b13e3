using System.Globalization;
using System.Text.Json.Nodes;
using CellSeg.Models.CenterMask;
using CellSeg.Models.Tests.CenterMask;
using CellSeg.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Bench.CenterMask;

/// <summary>
/// CenterMask from a random backbone, without gradient clipping: TorchSharp and the PyTorch mirror
/// (bench/pytorch/centermask_mirror.py) trained from the same initial weights on the same batch of LIVECell crops, with
/// the paper's warm-up schedule, loss curves side by side and their largest relative difference; at iteration 1 also the
/// gradient norm of every parameter on both sides, and the mirror's activation sizes through the MaskIoU head.
/// </summary>
/// <remarks>
///   dotnet CellSeg.Models.Bench.dll centermask-curves [--iterations 100] [--size 128] [--threads 2] [--seed 1]
///       [--lr 0.005] [--warmup 1000] [--warmup-factor 0.001] [--constant-lr X] [--maskiou-init library|centermask2]
///       [--clip NORM] [--out DIR] [--python /usr/bin/python3] [--no-pytorch]
/// <c>--maskiou-init centermask2</c> re-applies centermask2's MaskIoU-head initialisation (He normal, fan-out, on the
/// convolutions and both FCs; the IoU layer N(0, 0.01)), which the library used before the fix: the divergence on both sides.
/// </remarks>
internal static class CenterMaskCurvesBench
{
    private sealed record Options(int Iterations = 100, int Size = 128, int Threads = 2, int Seed = 1, double Lr = 0.005, int Warmup = 1000,
        double WarmupFactor = 0.001, double? ConstantLr = null, string MaskIouInit = "library", double? Clip = null, string? Out = null,
        string Python = "/usr/bin/python3", bool PyTorch = true);

    public static int Run(string[] args)
    {
        var o = Parse(args);
        TorchDevices.SetThreads(o.Threads);
        var folder = o.Out ?? Path.Combine(Path.GetTempPath(), $"centermask-curves-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(folder);
        Console.WriteLine($"# CenterMask from scratch, TorchSharp vs PyTorch mirror, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine: {Phases.Machine()}; threads {o.Threads}; load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");

        var samples = LivecellCrops.LoadAsync(Path.Combine(Phases.RepoRoot(), "..", "shared"), o.Size, LivecellCrops.DefaultImageIds).GetAwaiter().GetResult();
        var config = new CenterMaskConfig
        {
            Input = new CenterMaskInputOptions { MinSizeTrain = [o.Size], MaxSizeTrain = o.Size, MinSizeTest = o.Size, MaxSizeTest = o.Size, HorizontalFlip = false },
        };
        manual_seed(o.Seed);
        using var model = new CenterMaskModel(config);
        if (o.MaskIouInit == "centermask2")
        {
            Centermask2MaskIouInit(model.RoiHeads.MaskIouHead);
        }

        using var batch = config.CreateInput().Prepare(samples, 0, 0, flip: false);
        var schedule = new WarmupMultiStepSchedule
        {
            BaseLearningRate = o.Lr, BatchSize = samples.Count, MaxIterations = o.Iterations, WarmupIterations = o.Warmup, WarmupFactor = o.WarmupFactor, Milestones = [],
        };
        var lrs = Enumerable.Range(0, o.Iterations).Select(i => o.ConstantLr ?? schedule.LearningRateAt(i)).ToArray();
        Console.WriteLine($"CenterMask-Lite V-19-slim-DW-eSE ({model.parameters().Sum(p => p.numel()):N0} parameters), seed {o.Seed}, MaskIoU init {o.MaskIouInit}; " +
            $"batch: {samples.Count} LIVECell crops {o.Size}×{o.Size} ({string.Join(" + ", samples.Select(s => s.Boxes!.shape[0]))} cells), fixed, no flips; " +
            $"SGD momentum 0.9, weight decay 1e-4 (none on norms), LR {(o.ConstantLr is { } c ? $"constant {c}" : $"{o.Lr} with linear warm-up over {o.Warmup} from ×{o.WarmupFactor}")} " +
            $"({lrs[0]:G3} → {lrs[^1]:G3}); gradient clipping: {(o.Clip is { } clip ? clip.ToString(CultureInfo.InvariantCulture) : "none")}; files in {folder}");

        CenterMaskCurves.Export(folder, model, batch);
        var ours = CenterMaskCurves.TrainTorchSharp(folder, model, batch, lrs, o.Seed, clipNorm: o.Clip, gradients: true);
        var py = o.PyTorch ? CenterMaskCurves.RunPyTorch(folder, Phases.RepoRoot(), o.Python, o.Threads, gradients: true) : null;

        Console.WriteLine();
        Console.WriteLine($"TorchSharp: {ours.Curve.Count} iterations in {ours.Seconds:F0} s; PyTorch: {(py is null ? "–" : $"{py.Curve.Count} iterations in {py.Seconds:F0} s")}");
        Console.WriteLine();
        Console.WriteLine("| iteration | LR | total C# | total PyTorch | rel. diff | loss_maskiou C# | loss_maskiou PyTorch | loss_mask C# | loss_fcos_cls C# | loss_fcos_loc C# | loss_fcos_ctr C# | mask RoIs |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        var rows = new[] { 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 150, 200, 300, 400, 500 }.Where(r => r <= ours.Curve.Count).Append(ours.Curve.Count).Distinct();
        foreach (var r in rows)
        {
            var a = ours.Curve[r - 1];
            var b = py is not null && r <= py.Curve.Count ? py.Curve[r - 1] : null;
            var rel = b is null ? "–" : (Math.Abs(a.Total - b.Total) / Math.Max(Math.Abs(a.Total), Math.Abs(b.Total))).ToString("E1", CultureInfo.InvariantCulture);
            Console.WriteLine($"| {r} | {lrs[r - 1]:G3} | {G(a.Total)} | {G(b?.Total)} | {rel} | {G(a.Losses["loss_maskiou"])} | {G(b?.Losses["loss_maskiou"])} | {G(a.Losses["loss_mask"])} | " +
                $"{G(a.Losses["loss_fcos_cls"])} | {G(a.Losses["loss_fcos_loc"])} | {G(a.Losses["loss_fcos_ctr"])} | {a.Rois} |");
        }

        // Every loss on both sides, every 10th iteration (iteration 1: the losses of the initial weights).
        Console.WriteLine();
        Console.WriteLine("| iteration | " + string.Join(" | ", CenterMaskCurves.Names.Append("total").Select(n => $"{n} C# | {n} PyTorch")) + " |");
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---|---|", CenterMaskCurves.Names.Count + 1)));
        foreach (var r in new[] { 1 }.Concat(Enumerable.Range(1, ours.Curve.Count / 10).Select(k => 10 * k)).Where(r => r <= ours.Curve.Count))
        {
            var a = ours.Curve[r - 1];
            var b = py is not null && r <= py.Curve.Count ? py.Curve[r - 1] : null;
            Console.WriteLine($"| {r} | " + string.Join(" | ", CenterMaskCurves.Names.Select(n => $"{G(a.Losses[n])} | {G(b?.Losses[n])}").Append($"{G(a.Total)} | {G(b?.Total)}")) + " |");
        }

        var summary = new JsonObject { ["torchsharp"] = Curve(ours), ["lr"] = new JsonArray([.. lrs.Take(ours.Curve.Count).Select(v => (JsonNode)v)]) };
        if (py is not null)
        {
            summary["pytorch"] = Curve(py);
            var d = CenterMaskCurves.Compare(ours.Curve, py.Curve);
            Console.WriteLine();
            Console.WriteLine($"largest relative difference over {Math.Min(ours.Curve.Count, py.Curve.Count)} iterations (5 losses and the total, floor 1e-3): " +
                $"{d.MaxRelative:E2} ({d.Loss}, iteration {d.Iteration})");
            foreach (var name in CenterMaskCurves.Names.Append("total"))
            {
                var dn = CenterMaskCurves.Compare(ours.Curve, py.Curve, losses: [name]);
                Console.WriteLine($"  {name}: {dn.MaxRelative:E2} (iteration {dn.Iteration})");
            }

            var disagreements = py.Extra?["curve"]?.AsArray().Sum(n => n!["roi_disagreements"]!.GetValue<int>()) ?? 0;
            Console.WriteLine($"mask RoIs of the TorchSharp sampler not among the mirror's own foreground candidates: {disagreements} (all iterations)");
            Console.WriteLine($"FCOS positives equal on every iteration: {ours.Curve.Zip(py.Curve).All(p => p.First.NumPositives == p.Second.NumPositives)}");

            var common = ours.GradNorms.Keys.Where(py.GradNorms.ContainsKey).ToList();
            var gradDiffs = common.Select(k => (Name: k, Rel: Math.Abs(ours.GradNorms[k] - py.GradNorms[k]) / Math.Max(Math.Max(ours.GradNorms[k], py.GradNorms[k]), 1e-12)))
                .OrderByDescending(p => p.Rel).ToList();
            Console.WriteLine();
            Console.WriteLine($"iteration 1, gradient norm per parameter: {common.Count} of {ours.GradNorms.Count} (C#) / {py.GradNorms.Count} (PyTorch) compared; " +
                $"largest relative difference {gradDiffs[0].Rel:E2} ({gradDiffs[0].Name}); median {gradDiffs[gradDiffs.Count / 2].Rel:E2}");
            Console.WriteLine("| part | gradient norm C# | PyTorch |");
            Console.WriteLine("|---|---|---|");
            foreach (var part in common.GroupBy(Part))
            {
                Console.WriteLine($"| {part.Key} | {G(Math.Sqrt(part.Sum(k => ours.GradNorms[k] * ours.GradNorms[k])))} | {G(Math.Sqrt(part.Sum(k => py.GradNorms[k] * py.GradNorms[k])))} |");
            }

            if (py.Extra?["activations"] is JsonObject acts)
            {
                Console.WriteLine();
                Console.WriteLine("iteration 1, root mean square of activations (PyTorch mirror): " + string.Join(", ", acts.Select(kv => $"{kv.Key} {G(kv.Value!.GetValue<double>())}")));
            }

            summary["max_relative_difference"] = double.IsFinite(d.MaxRelative) ? d.MaxRelative : null;
            summary["grad_max_relative_difference"] = double.IsFinite(gradDiffs[0].Rel) ? gradDiffs[0].Rel : null;
        }

        File.WriteAllText(Path.Combine(folder, "curves.json"), summary.ToJsonString());
        var figures = CenterMaskCurvesPlot.Write(folder, ours, py);
        Console.WriteLine($"figures: {string.Join(", ", figures.Select(Path.GetFileName))} in {folder}");
        Console.WriteLine();
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}; curves in {Path.Combine(folder, "curves.json")}");
        return 0;
    }

    /// <summary>centermask2's MaskIoU-head initialisation (maskiou_head.py), which the library used until the fix.</summary>
    private static void Centermask2MaskIouInit(MaskIouHead head)
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in head.named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                nn.init.zeros_(p);
            }
            else if (name == "maskiou.weight")
            {
                nn.init.normal_(p, 0, 0.01);
            }
            else
            {
                nn.init.kaiming_normal_(p, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            }
        }
    }

    private static string Part(string name)
    {
        var parts = name.Split('.');
        return string.Join('.', parts.Take(name.StartsWith("roi_heads", StringComparison.Ordinal) ? 3 : name.StartsWith("backbone.fpn", StringComparison.Ordinal) ? 2 : 3));
    }

    private static JsonArray Curve(CurveRun run) => new([.. run.Curve.Select(p =>
    {
        var o = new JsonObject();
        foreach (var (k, v) in p.Losses)
        {
            o[k] = double.IsFinite(v) ? v : null;
        }

        o["total"] = double.IsFinite(p.Total) ? p.Total : null;
        o["rois"] = p.Rois;
        return (JsonNode)o;
    })]);

    private static string G(double? v) => v is null ? "–" : v.Value.ToString("G4", CultureInfo.InvariantCulture);

    private static Options Parse(string[] args)
    {
        var o = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double Dbl() => double.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--iterations" => o with { Iterations = Int() },
                "--size" => o with { Size = Int() },
                "--threads" => o with { Threads = Int() },
                "--seed" => o with { Seed = Int() },
                "--lr" => o with { Lr = Dbl() },
                "--warmup" => o with { Warmup = Int() },
                "--warmup-factor" => o with { WarmupFactor = Dbl() },
                "--constant-lr" => o with { ConstantLr = Dbl() },
                "--maskiou-init" => o with { MaskIouInit = Next() is ("library" or "centermask2") and var v ? v : throw new ArgumentException("--maskiou-init is library or centermask2") },
                "--clip" => o with { Clip = Dbl() },
                "--out" => o with { Out = Next() },
                "--python" => o with { Python = Next() },
                "--no-pytorch" => o with { PyTorch = false },
                _ => throw new ArgumentException("unknown option " + args[i]),
            };
        }

        return o.Iterations < 1 ? throw new ArgumentException("--iterations must be at least 1") : o;
    }
}
