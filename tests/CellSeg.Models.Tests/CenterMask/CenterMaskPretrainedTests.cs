using System.Diagnostics;
using System.Text.Json;
using CellSeg.Models.CenterMask;
using CellSeg.Models.Training;
using CellSeg.Models.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

/// <summary>centermask2-style checkpoints written by PyTorch itself (Debian's python3-torch) loaded into the whole model.</summary>
public class CenterMaskPretrainedTests
{
    // Every tensor k of the spec gets arange(numel)/1000 + k, so each value says where it came from (or, "random", small
    // trainable values). The class logits
    // get two classes (a COCO-like head for a one-class model); pixel_mean/std are detectron2's buffers.
    private const string Script = """
        import sys, json, collections, torch
        spec = json.load(open(sys.argv[1]))
        sd = collections.OrderedDict()
        for k, (name, shape) in enumerate(spec):
            n = 1
            for s in shape:
                n *= s
            if name.startswith("proposal_generator.fcos_head.cls_logits."):
                shape = [2] + shape[1:]
                n = n * 2
            if sys.argv[3] == "random":
                # Trainable values: small weights, unit variances for the frozen batch norms.
                torch.manual_seed(k)
                sd[name] = torch.ones(shape) if name.endswith("running_var") else torch.randn(shape) * 0.05
            else:
                sd[name] = torch.arange(n, dtype=torch.float32).reshape(shape) / 1000 + k
        sd["pixel_mean"] = torch.tensor([128.0, 128.0, 128.0]).reshape(3, 1, 1)
        sd["pixel_std"] = torch.tensor([11.578, 11.578, 11.578]).reshape(3, 1, 1)
        torch.save({"model": sd, "iteration": 90000}, sys.argv[2])
        """;

    private static string WriteCheckpoint(CenterMaskModel model, string folder, bool random = false)
    {
        var state = model.state_dict();
        var spec = model.Centermask2Names().OrderBy(kv => kv.Value, StringComparer.Ordinal)
            .Select(kv => new object[] { kv.Value, state[kv.Key].shape }).ToArray();
        var specPath = Path.Combine(folder, "spec.json");
        File.WriteAllText(specPath, JsonSerializer.Serialize(spec));
        var path = Path.Combine(folder, "centermask2.pth");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(specPath);
        info.ArgumentList.Add(path);
        info.ArgumentList.Add(random ? "random" : "values");
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "python3-torch fixture failed: " + err);
        return path;
    }

    [Fact]
    public void A_centermask2_checkpoint_from_torch_save_loads_every_tensor_but_the_class_mismatched_logits()
    {
        using var model = new CenterMaskModel(TinyCenterMask.Config);
        var path = WriteCheckpoint(model, TestPaths.NewTempFolder());
        using var before = model.state_dict()["proposal_generator.fcos_head.cls_logits.bias"].clone();

        var report = WeightLoader.Load(model, path, model.Centermask2Map(), strict: false);

        var names = model.Centermask2Names();
        Assert.Equal(["proposal_generator.fcos_head.cls_logits.bias", "proposal_generator.fcos_head.cls_logits.weight"],
            report.Mismatched.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Equal(["pixel_mean", "pixel_std"], report.Ignored.Order(StringComparer.Ordinal));
        Assert.Equal(names.Count - 2, report.Loaded.Count);

        // Values landed under the right names: tensor k of the sorted centermask2 names starts at k.
        var sorted = names.OrderBy(kv => kv.Value, StringComparer.Ordinal).Select(kv => kv.Key).ToList();
        var state = model.state_dict();
        for (var k = 0; k < sorted.Count; k++)
        {
            if (sorted[k].StartsWith("proposal_generator.fcos_head.cls_logits.", StringComparison.Ordinal))
            {
                continue;
            }

            var expected = arange(state[sorted[k]].numel(), dtype: ScalarType.Float32).reshape(state[sorted[k]].shape) / 1000 + k;
            Assert.True(state[sorted[k]].allclose(expected, rtol: 0, atol: 1e-6), $"{sorted[k]} did not receive {names[sorted[k]]}");
        }

        Assert.True(Infra.Tensors.Same(before, state["proposal_generator.fcos_head.cls_logits.bias"]), "a mismatched tensor keeps its initial value");
    }

    [Fact]
    public async Task Training_from_a_centermask2_checkpoint_reports_what_was_loaded()
    {
        var (annotations, images) = await LivecellCrops.WriteAsync(64, 1037332);
        var folder = TestPaths.NewTempFolder();
        using var probe = new CenterMaskModel(TinyCenterMask.Config);
        var path = WriteCheckpoint(probe, folder, random: true);
        var result = await CenterMaskTrainer.TrainAsync(new CenterMaskTrainOptions
        {
            Train = new CocoImageSet(annotations, images),
            Model = TinyCenterMask.Config,
            Schedule = new WarmupMultiStepSchedule { BaseLearningRate = 1e-6, BatchSize = 1, MaxIterations = 1, WarmupIterations = 0, Milestones = [] },
            PretrainedWeights = path,
            OutputModelPath = Path.Combine(folder, "cm.model"),
            Threads = 2,
        });
        Assert.NotNull(result.Pretrained);
        Assert.Equal(2, result.Pretrained.Mismatched.Count);
        Assert.Equal(probe.state_dict().Count - 2, result.Pretrained.Loaded.Count);
        Assert.Contains("2 mismatched", CenterMaskModelFile.ReadHeader(result.ModelPath).Training!["pretrained"]);
    }
}
