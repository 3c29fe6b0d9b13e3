using System.Diagnostics;
using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Bench.CenterMask;

/// <summary>
/// Where a training step's time goes (the parts of <see cref="CenterMaskModel.Losses"/>, then backward), in wall and
/// process CPU seconds: CPU time is the steadier figure when other processes share the cores.
/// </summary>
internal static class CenterMaskProfile
{
    public static void Run(CenterMaskModel model, CenterMaskConfig config, CenterMaskBatch batch, int steps)
    {
        var targets = config.CreateTargets();
        var loss = config.CreateLoss();
        var proposals = config.CreatePostProcessor(training: true);
        var random = new Random(1);
        var totals = new Dictionary<string, (double Wall, double Cpu)>();
        model.train();
        for (var s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            var clock = new Clock(totals);
            var features = model.Backbone.forward(batch.Images);
            clock.Lap("backbone + FPN forward");
            var head = model.FcosHead.forward(features);
            clock.Lap("FCOS head forward");
            var imageTargets = Enumerable.Range(0, batch.ImageSizes.Count)
                .Select(i => targets.Compute(head.LevelShapes, batch.Boxes[i]!, zeros(batch.Boxes[i]!.shape[0], dtype: ScalarType.Int64))).ToList();
            clock.Lap("FCOS targets");
            var fcos = loss.Compute(head, imageTargets);
            clock.Lap("FCOS losses");
            var found = proposals.Process(head, batch.ImageSizes);
            clock.Lap("FCOS proposals (train NMS)");
            var images = new List<RoiTrainingImage>();
            for (var i = 0; i < found.Count; i++)
            {
                var (height, width) = batch.ImageSizes[i];
                images.Add(new RoiTrainingImage(height, width, Floats(found[i].Boxes), Floats(batch.Boxes[i]!), new int[batch.Boxes[i]!.shape[0]], batch.Polygons[i]!));
            }

            var roi = model.RoiHeads.Losses(features.Take(3).ToArray(), images, random);
            clock.Lap("RoI heads: sampling, targets, RoIAlign, SAG-Mask, MaskIoU, losses");
            var total = fcos.Classification + fcos.Localization + fcos.Centerness + roi.Mask + roi.MaskIou;
            total.backward();
            clock.Lap("backward");
        }

        Console.WriteLine($"Training step profile (C#, sum of {steps} step(s)):");
        Console.WriteLine("| part | wall (s) | process CPU (s) |");
        Console.WriteLine("|---|---|---|");
        foreach (var (name, (wall, cpu)) in totals)
        {
            Console.WriteLine($"| {name} | {wall:F2} | {cpu:F2} |");
        }

        Console.WriteLine();
    }

    private static float[] Floats(Tensor t)
    {
        if (t.numel() == 0)
        {
            return [];
        }

        using var cpu = t.detach().to(ScalarType.Float32, CPU).contiguous();
        return cpu.data<float>().ToArray();
    }

    private sealed class Clock(Dictionary<string, (double Wall, double Cpu)> totals)
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;

        public void Lap(string name)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var (w, c) = totals.GetValueOrDefault(name);
            totals[name] = (w + _wall.Elapsed.TotalSeconds, c + (cpu - _cpu).TotalSeconds);
            _wall.Restart();
            _cpu = cpu;
        }
    }
}
