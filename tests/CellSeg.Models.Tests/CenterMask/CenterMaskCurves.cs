using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Models.CenterMask;
using CellSeg.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

/// <summary>One iteration's losses on one side.</summary>
internal sealed record CurvePoint(IReadOnlyDictionary<string, double> Losses, double Total, long NumPositives, int Rois);

/// <summary>A training run's loss curve, with the first iteration's gradient norm per parameter (when asked).</summary>
internal sealed record CurveRun(IReadOnlyList<CurvePoint> Curve, IReadOnlyDictionary<string, double> GradNorms, double Seconds, JsonObject? Extra = null);

/// <summary>Where two curves differ most: the largest relative difference of a loss, its iteration and name.</summary>
internal sealed record CurveDifference(double MaxRelative, int Iteration, string Loss);

/// <summary>
/// CenterMask trained in TorchSharp and in bench/pytorch/centermask_mirror.py (PyTorch, the same network and losses)
/// from the same initial weights on the same fixed batch, for loss curves side by side. Shared by the model tests and
/// the bench (<c>centermask-curves</c>), so both compare the same way.
/// </summary>
/// <remarks>
/// The folder gets config.json, init.pth (the TorchSharp model's initial state dict), batch.pth (prepared images, GT
/// boxes and classes) and rois.pth: each iteration's LR and the foreground RoIs the TorchSharp side's seeded
/// sampler drew with their polygon-rasterised 28×28 targets, which the mirror takes as data (it checks them against its
/// own proposals). The mirror writes pytorch.json.
/// </remarks>
internal static class CenterMaskCurves
{
    /// <summary>Loss names in the order both sides report them.</summary>
    public static IReadOnlyList<string> Names => CenterMaskLosses.Names;

    /// <summary>Writes config.json, init.pth (the model's current weights) and batch.pth; call before training (same SGD settings).</summary>
    public static void Export(string folder, CenterMaskModel model, CenterMaskBatch batch,
        double momentum = SgdParameterGroups.DefaultMomentum, double weightDecay = SgdParameterGroups.DefaultWeightDecay)
    {
        Directory.CreateDirectory(folder);
        var c = model.Config;
        var config = new JsonObject
        {
            ["backbone"] = new JsonObject
            {
                ["stemChannels"] = Ints(c.Backbone.StemChannels),
                ["stageConvChannels"] = Ints(c.Backbone.StageConvChannels),
                ["stageOutChannels"] = Ints(c.Backbone.StageOutChannels),
                ["layersPerBlock"] = c.Backbone.LayersPerBlock,
                ["blocksPerStage"] = Ints(c.Backbone.BlocksPerStage),
                ["depthwise"] = c.Backbone.Depthwise,
            },
            ["fpnChannels"] = c.FpnChannels,
            ["numClasses"] = c.NumClasses,
            ["fcosTowerConvs"] = c.FcosTowerConvs,
            ["groupNormGroups"] = c.GroupNormGroups,
            ["fpnStrides"] = Ints(c.FpnStrides),
            ["sizesOfInterest"] = new JsonArray([.. c.SizesOfInterest.Select(v => (JsonNode)(double)v)]),
            ["priorProbability"] = c.PriorProbability,
            ["centerSampling"] = c.CenterSampling,
            ["positiveRadius"] = c.PositiveRadius,
            ["focalAlpha"] = c.FocalAlpha,
            ["focalGamma"] = c.FocalGamma,
            ["scoreThresholdTrain"] = c.ScoreThresholdTrain,
            ["preNmsTopKTrain"] = c.PreNmsTopKTrain,
            ["postNmsTopKTrain"] = c.PostNmsTopKTrain,
            ["nmsThreshold"] = c.NmsThreshold,
            ["maskHeadConvs"] = c.MaskHeadConvs,
            ["maskHeadChannels"] = c.MaskHeadChannels,
            ["maskIouConvs"] = c.MaskIouConvs,
            ["maskIouChannels"] = c.MaskIouChannels,
            ["maskIouLossWeight"] = c.MaskIouLossWeight,
            ["roiIouThreshold"] = c.RoiIouThreshold,
            ["momentum"] = momentum,
            ["weightDecay"] = weightDecay,
        };
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(Path.Combine(folder, "init.pth"), model.state_dict());
        var data = new Dictionary<string, Tensor> { ["images"] = batch.Images };
        for (var i = 0; i < batch.ImageSizes.Count; i++)
        {
            data[$"size.{i}"] = tensor(new long[] { batch.ImageSizes[i].Height, batch.ImageSizes[i].Width });
            data[$"boxes.{i}"] = batch.Boxes[i]!;
            data[$"classes.{i}"] = batch.Classes[i]!;
        }

        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(Path.Combine(folder, "batch.pth"), data);
    }

    /// <summary>
    /// Trains <paramref name="model"/> on the fixed <paramref name="batch"/> for one iteration per learning rate (SGD as
    /// the trainer's, no clipping unless <paramref name="clipNorm"/>), writing rois.pth; stops early when a loss is not
    /// finite (the curve then ends there).
    /// </summary>
    public static CurveRun TrainTorchSharp(string folder, CenterMaskModel model, CenterMaskBatch batch, IReadOnlyList<double> learningRates, int seed,
        double momentum = SgdParameterGroups.DefaultMomentum, double weightDecay = SgdParameterGroups.DefaultWeightDecay, double? clipNorm = null, bool gradients = false)
    {
        var config = model.Config;
        var post = config.CreatePostProcessor(training: true);
        var matcher = new ProposalMatcher(new ProposalMatcherOptions(config.NumClasses, config.RoiIouThreshold, config.RoiBatchSizePerImage, config.RoiPositiveFraction, AppendGroundTruth: true));
        using var sgd = SgdParameterGroups.CreateSgd(model, learningRates[0], momentum, weightDecay);
        var rois = new Dictionary<string, Tensor>();
        var curve = new List<CurvePoint>();
        var grads = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        model.train();
        for (var i = 0; i < learningRates.Count; i++)
        {
            foreach (var group in sgd.ParamGroups)
            {
                group.LearningRate = learningRates[i];
            }

            using var scope = NewDisposeScope();

            // The RoIs model.Losses will sample, drawn the same way from a generator with the same seed: the mirror's data.
            var sampleSeed = unchecked(seed * 7919 + i);
            using (no_grad())
            {
                var features = model.Backbone.forward(batch.Images);
                using var head = model.FcosHead.forward(features);
                var proposals = post.Process(head, batch.ImageSizes);
                var replica = new Random(sampleSeed);
                var boxes = new List<float>();
                var classes = new List<long>();
                var cells = new List<IReadOnlyList<double[]>>();
                for (var b = 0; b < batch.ImageSizes.Count; b++)
                {
                    var gtClasses = batch.Classes[b]!.to(ScalarType.Int32).data<int>().ToArray();
                    var sample = matcher.Sample(Floats(proposals[b].Boxes), Floats(batch.Boxes[b]!), gtClasses, replica);
                    foreach (var k in sample.ForegroundPositions())
                    {
                        boxes.Add(b);
                        boxes.AddRange(sample.Boxes.AsSpan(k * 4, 4).ToArray());
                        classes.Add(sample.Classes[k]);
                        cells.Add(batch.Polygons[b]![sample.MatchedGt[k]]);
                    }
                }

                var roiTensor = tensor(boxes.ToArray(), [classes.Count, 5]);
                var (masks, ratios) = MaskTargets.Build(cells, roiTensor[.., 1..5], 28);
                rois[$"rois.{i}"] = roiTensor.DetachFromDisposeScope();
                rois[$"classes.{i}"] = tensor(classes.ToArray()).DetachFromDisposeScope();
                rois[$"masks.{i}"] = masks.DetachFromDisposeScope();
                rois[$"ratios.{i}"] = ratios.DetachFromDisposeScope();
            }

            sgd.zero_grad();
            var losses = model.Losses(batch, new Random(sampleSeed));
            if (losses.ForegroundRois != rois[$"classes.{i}"].shape[0])
            {
                throw new InvalidOperationException($"iteration {i + 1}: the model sampled {losses.ForegroundRois} foreground RoIs, the replica {rois[$"classes.{i}"].shape[0]}: the replica no longer follows CenterMaskRoiHeads.Losses");
            }

            var total = losses.Total();
            total.backward();
            if (i == 0 && gradients)
            {
                foreach (var (name, p) in model.named_parameters())
                {
                    if (p.grad is { } g)
                    {
                        grads[name] = g.to(ScalarType.Float64).norm().item<double>();
                    }
                }
            }

            if (clipNorm is { } clip)
            {
                nn.utils.clip_grad_norm_(model.parameters(), clip);
            }

            sgd.step();
            var value = total.item<float>();
            curve.Add(new CurvePoint(losses.Values(), value, losses.Positives, losses.ForegroundRois));
            if (!float.IsFinite(value))
            {
                break;
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;

        // The mirror trains as many iterations as this side finished, at the same rates.
        rois["lr"] = tensor(learningRates.Take(curve.Count).ToArray());
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(Path.Combine(folder, "rois.pth"), rois);
        foreach (var t in rois.Values)
        {
            t.Dispose();
        }

        return new CurveRun(curve, grads, seconds);
    }

    /// <summary>Runs the PyTorch mirror on <paramref name="folder"/> and reads its curve.</summary>
    /// <exception cref="InvalidOperationException">The mirror failed (its stderr is in the message).</exception>
    public static CurveRun RunPyTorch(string folder, string repoRoot, string python = "/usr/bin/python3", int threads = 2, bool gradients = false, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(repoRoot, "bench", "pytorch", "centermask_mirror.py"), "--dir", folder, "--threads", threads.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        if (gradients)
        {
            info.ArgumentList.Add("--grads");
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(30)))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the PyTorch mirror ran past {timeout}");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"the PyTorch mirror failed ({python} with python3-torch and python3-torchvision?): {stderr.Result.Trim()}");
        }

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "pytorch.json")))!.AsObject();
        // The mirror writes a non-finite loss as null (JSON has no NaN); it reads back as NaN.
        static double Loss(JsonNode? v) => v?.GetValue<double>() ?? double.NaN;
        var curve = json["curve"]!.AsArray().Select(n => new CurvePoint(
            Names.ToDictionary(k => k, k => Loss(n![k])),
            Loss(n!["total"]),
            n["num_pos"]!.GetValue<long>(),
            n["rois"]!.GetValue<int>())).ToList();
        var grads = json["grad_norms"]?.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>()) ?? [];
        return new CurveRun(curve, grads, json["seconds"]!.GetValue<double>(), json);
    }

    /// <summary>
    /// The largest relative difference |a − b| / max(|a|, |b|, <paramref name="floor"/>) over the iterations both curves
    /// have, over the five losses and the total (or only <paramref name="losses"/>, "total" naming the total); the floor
    /// keeps a loss near zero from turning rounding into a large ratio.
    /// </summary>
    public static CurveDifference Compare(IReadOnlyList<CurvePoint> a, IReadOnlyList<CurvePoint> b, double floor = 1e-3, IReadOnlyList<string>? losses = null)
    {
        losses ??= [.. Names, "total"];
        static double Value(CurvePoint p, string name) => name == "total" ? p.Total : p.Losses[name];
        var worst = new CurveDifference(0, 0, "");
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            foreach (var (name, x, y) in losses.Select(n => (n, Value(a[i], n), Value(b[i], n))))
            {
                // Both sides non-finite at the same iteration is agreement (the same divergence); one side only is not.
                var rel = double.IsFinite(x) && double.IsFinite(y) ? Math.Abs(x - y) / Math.Max(Math.Max(Math.Abs(x), Math.Abs(y)), floor)
                    : double.IsFinite(x) || double.IsFinite(y) ? double.NaN : 0;
                if (double.IsNaN(rel) || rel > worst.MaxRelative)
                {
                    worst = new CurveDifference(double.IsNaN(rel) ? double.PositiveInfinity : rel, i + 1, name);
                    if (double.IsNaN(rel))
                    {
                        return worst;
                    }
                }
            }
        }

        return worst;
    }

    private static JsonArray Ints(IEnumerable<int> values) => new([.. values.Select(v => (JsonNode)v)]);

    private static float[] Floats(Tensor t)
    {
        if (t.numel() == 0)
        {
            return [];
        }

        using var cpu = t.detach().to(ScalarType.Float32, CPU).contiguous();
        return cpu.data<float>().ToArray();
    }
}
