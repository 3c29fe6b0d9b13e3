using CellSeg.Models.CenterMask;
using CellSeg.Models.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

/// <summary>
/// CenterMask trained from a random backbone without gradient clipping, as the shipped livecell-centermask workflow
/// does when no checkpoint is given; and the same training in TorchSharp and in the PyTorch mirror
/// (bench/pytorch/centermask_mirror.py) from the same initial weights.
/// </summary>
public class CenterMaskFromScratchTests(ITestOutputHelper output)
{
    // Huh7 (large cells) and BT474 (small, dense cells), 128×128 around their densest cells, as the training tests.
    private static readonly Lazy<Task<(string Annotations, string Images)>> Crops = new(() => LivecellCrops.WriteAsync(128, 1037332, 100601));

    [Fact]
    public void The_MaskIoU_head_starts_from_torchs_default_ranges()
    {
        manual_seed(3);
        var head = new MaskIouHead(MaskIouOptions.Lite(1));
        foreach (var (name, p) in head.named_parameters())
        {
            // Every layer: U(±1/√fan_in) for weights (kaiming-uniform, a = √5) and biases alike, the bias's fan-in taken from its weight.
            var weight = name.EndsWith(".bias", StringComparison.Ordinal) ? head.named_parameters().Single(w => w.name == name[..^5] + ".weight").parameter : p;
            var bound = 1 / Math.Sqrt(weight.numel() / weight.shape[0]);
            var max = p.abs().max().item<float>();
            Assert.True(max <= bound * (1 + 1e-6), $"{name}: max |w| {max}, bound {bound}");

            // Uniform on ±bound: standard deviation bound/√3 (checked where there are enough values to tell; the IoU
            // layer's bias has one).
            if (p.numel() >= 100)
            {
                var std = p.std().item<float>();
                Assert.True(Math.Abs(std - bound / Math.Sqrt(3)) < 0.1 * bound / Math.Sqrt(3), $"{name}: std {std}, expected {bound / Math.Sqrt(3)}");
            }
        }
    }

    /// <summary>
    /// The MaskIoU head's predicted IoUs for the crops' own cells (ground-truth boxes as detections, score 1 so the mask
    /// score is the predicted IoU) from the shipped Lite architecture with random weights: targets lie in [0, 1].
    /// </summary>
    private static async Task<float[]> InitialPredictedIous(int seed, bool centermask2Init)
    {
        var (annotations, images) = await Crops.Value;
        var data = await InstanceDataset.LoadAsync([new CocoImageSet(annotations, images)]);
        var config = CenterMaskArchitectures.Get(CenterMaskArchitectures.LiteV19SlimDw) with
        {
            Input = new CenterMaskInputOptions { MinSizeTrain = [128], MaxSizeTrain = 128, MinSizeTest = 128, MaxSizeTest = 128, HorizontalFlip = false },
        };
        manual_seed(seed);
        using var model = new CenterMaskModel(config);
        if (centermask2Init)
        {
            // centermask2's maskiou_head.py: c2_msra_fill on the convolutions and both FCs, N(0, 0.01) on the IoU layer.
            foreach (var (name, p) in model.RoiHeads.MaskIouHead.named_parameters().Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal)))
            {
                var bias = model.RoiHeads.MaskIouHead.named_parameters().Single(b => b.name == name[..^7] + ".bias").parameter;
                if (name == "maskiou.weight")
                {
                    HeadInit.Normal(p, bias, 0.01);
                }
                else
                {
                    HeadInit.MsraFill(p, bias);
                }
            }
        }

        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var batch = config.CreateInput().Prepare(data.Samples.Select(s => s.ToCenterMaskSample()).ToList(), 0, 0, flip: false);
        var features = model.Backbone.forward(batch.Images);
        var boxes = batch.Boxes.Select(b => b!).ToList();
        var predictions = model.RoiHeads.Predict(features[..3], boxes, boxes.Select(b => ones(b.shape[0])).ToList(), batch.Classes.Select(c => c!).ToList(), batch.ImageSizes);
        return [.. predictions.SelectMany(p => p.MaskScores.data<float>().ToArray())];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task On_a_random_backbone_the_MaskIoU_heads_first_predictions_lie_near_the_targets_range(int seed)
    {
        var ious = await InitialPredictedIous(seed, centermask2Init: false);
        var old = await InitialPredictedIous(seed, centermask2Init: true);
        output.WriteLine($"{ious.Length} cells: predicted IoU {ious.Min():F3} … {ious.Max():F3} (centermask2's initialisation: {old.Min():F1} … {old.Max():F1})");
        Assert.Equal(40, ious.Length);
        // Within 1 of [0, 1]: the squared loss's gradient starts below 2 per RoI.
        Assert.All(ious, v => Assert.True(v is > -1f and < 2f, $"predicted IoU {v}"));

        // The check can fail: the initialisation this replaced, on the same backbone, predicts far outside [0, 1].
        Assert.True(old.Max(Math.Abs) > 5, $"centermask2's initialisation: largest |predicted IoU| {old.Max(Math.Abs)}");
    }

    [Fact]
    public async Task The_lite_model_trains_from_a_random_backbone_at_the_papers_rate_without_gradient_clipping()
    {
        var (annotations, images) = await Crops.Value;
        var folder = TestPaths.NewTempFolder();
        var options = new CenterMaskTrainOptions
        {
            Train = new CocoImageSet(annotations, images),

            // The shipped architecture at the crops' size, with flips; a warm-up of 4 iterations instead of 1,000 so that
            // the paper's full rate (0.005) is reached within the test.
            Model = CenterMaskArchitectures.Get(CenterMaskArchitectures.LiteV19SlimDw) with
            {
                Input = new CenterMaskInputOptions { MinSizeTrain = [128], MaxSizeTrain = 128, MinSizeTest = 128, MaxSizeTest = 128, HorizontalFlip = true },
            },
            Schedule = new WarmupMultiStepSchedule { BaseLearningRate = 0.005, BatchSize = 2, MaxIterations = 40, WarmupIterations = 4, WarmupFactor = 0.1, Milestones = [1000] },
            GradientClipNorm = null,
            OutputModelPath = Path.Combine(folder, "cm.model"),
            Seed = 1,
            Threads = 2,
        };
        var reports = new List<CenterMaskTrainProgress>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await CenterMaskTrainer.TrainAsync(options, new SyncProgress<CenterMaskTrainProgress>(reports.Add));
        var iterations = reports.Where(r => r.Event == CenterMaskTrainEvent.Iteration).ToList();
        foreach (var r in iterations)
        {
            output.WriteLine($"{r.Iteration}: lr {r.LearningRate:G3} total {r.TotalLoss:G4} " + string.Join(", ", r.Losses.Select(kv => $"{kv.Key} {kv.Value:G4}")));
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(40, iterations.Count);
        Assert.Equal(0.005, iterations[^1].LearningRate, 9);
        Assert.All(iterations, r => Assert.All(r.Losses.Values, v => Assert.True(double.IsFinite(v), $"iteration {r.Iteration}: {v}")));

        // IoU targets lie in [0, 1]; centermask2's MaskIoU initialisation on this backbone started at 688 and grew.
        Assert.All(iterations, r => Assert.True(r.Losses["loss_maskiou"] < 0.5, $"iteration {r.Iteration}: loss_maskiou {r.Losses["loss_maskiou"]}"));
        Assert.All(iterations, r => Assert.True(r.TotalLoss < 5, $"iteration {r.Iteration}: total {r.TotalLoss}"));
        var lastFive = iterations.TakeLast(5).Average(r => r.TotalLoss);
        Assert.True(lastFive < 0.7 * iterations[0].TotalLoss, $"total {iterations[0].TotalLoss} at the start, {lastFive} over the last five iterations");
        foreach (var name in new[] { "loss_fcos_cls", "loss_fcos_loc", "loss_mask" })
        {
            var late = iterations.TakeLast(5).Average(r => r.Losses[name]);
            Assert.True(late < iterations[0].Losses[name], $"{name}: {iterations[0].Losses[name]} at the start, {late} over the last five iterations");
        }
    }

    [Fact]
    public async Task TorchSharp_and_the_PyTorch_mirror_give_the_same_losses_and_gradients_from_the_same_weights()
    {
        var (annotations, images) = await Crops.Value;
        var data = await InstanceDataset.LoadAsync([new CocoImageSet(annotations, images)]);
        var samples = data.Samples.Select(s => s.ToCenterMaskSample()).ToList();
        manual_seed(5);
        using var model = new CenterMaskModel(TinyCenterMask.Config);
        using var batch = model.Config.CreateInput().Prepare(samples, 0, 0, flip: false);
        var schedule = new WarmupMultiStepSchedule { BaseLearningRate = 0.01, BatchSize = 2, MaxIterations = 15, WarmupIterations = 5, WarmupFactor = 0.1, Milestones = [1000] };
        var rates = Enumerable.Range(0, schedule.MaxIterations).Select(i => schedule.LearningRateAt(i)).ToArray();
        var folder = TestPaths.NewTempFolder();
        CenterMaskCurves.Export(folder, model, batch);
        var ours = CenterMaskCurves.TrainTorchSharp(folder, model, batch, rates, seed: 5, gradients: true);
        var theirs = CenterMaskCurves.RunPyTorch(folder, TestPaths.RepoRoot, gradients: true, timeout: TimeSpan.FromMinutes(5));
        for (var i = 0; i < ours.Curve.Count; i++)
        {
            output.WriteLine($"{i + 1}: C# {ours.Curve[i].Total:G6} PyTorch {theirs.Curve[i].Total:G6} (maskiou {ours.Curve[i].Losses["loss_maskiou"]:G4} / {theirs.Curve[i].Losses["loss_maskiou"]:G4}, RoIs {ours.Curve[i].Rois})");
        }

        Assert.Equal(rates.Length, ours.Curve.Count);
        Assert.Equal(rates.Length, theirs.Curve.Count);
        Assert.Equal(ours.Curve.Select(p => p.NumPositives), theirs.Curve.Select(p => p.NumPositives));
        Assert.Equal(ours.Curve.Select(p => p.Rois), theirs.Curve.Select(p => p.Rois));
        Assert.Equal(0, theirs.Extra!["curve"]!.AsArray().Sum(n => n!["roi_disagreements"]!.GetValue<int>()));
        var difference = CenterMaskCurves.Compare(ours.Curve, theirs.Curve);
        output.WriteLine($"largest relative difference {difference.MaxRelative:E2} ({difference.Loss}, iteration {difference.Iteration})");
        Assert.True(difference.MaxRelative < 1e-3, $"curves differ by {difference.MaxRelative:E2} ({difference.Loss}, iteration {difference.Iteration})");

        Assert.Equal(ours.GradNorms.Keys.Order(), theirs.GradNorms.Keys.Order());
        var worst = ours.GradNorms.Max(kv => Math.Abs(kv.Value - theirs.GradNorms[kv.Key]) / Math.Max(Math.Max(kv.Value, theirs.GradNorms[kv.Key]), 1e-12));
        output.WriteLine($"iteration 1 gradient norms: largest relative difference {worst:E2} over {ours.GradNorms.Count} parameters");
        Assert.True(worst < 1e-4, $"gradient norms differ by {worst:E2}");

        // The losses moved: a curve that agrees because nothing trained would prove nothing.
        Assert.True(ours.Curve[^1].Total < 0.9 * ours.Curve[0].Total, $"total {ours.Curve[0].Total} → {ours.Curve[^1].Total}");
    }
}
