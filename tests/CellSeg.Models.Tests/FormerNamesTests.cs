using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Models.CenterMask;
using CellSeg.Models.Networks;
using CellSeg.Models.Training;

namespace CellSeg.Models.Tests;

/// <summary>
/// Files written before the glossary's renames (iterations were "steps", F1 was "Dice", CenterMask's inference values
/// carried detectron2's "Test" suffix) are still read, into today's names, and are written only with today's names.
/// </summary>
public class FormerNamesTests
{
    [Fact]
    public void A_checkpoint_state_written_with_step_and_dice_resumes_under_the_new_names()
    {
        var folder = Path.Combine(TestPaths.NewTempFolder(), "step-000000012");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "state.json"), """
            {
              "step": 12, "fingerprint": "f", "seed": 3, "learningRate": 0.001, "bestValidationDice": 0.75, "bestEpoch": 2,
              "history": [
                { "epoch": 1, "step": 6, "meanLoss": 0.9, "validationDice": 0.5, "learningRate": 0.001 },
                { "epoch": 2, "step": 12, "meanLoss": 0.7, "validationDice": 0.75, "learningRate": 0.001 }
              ]
            }
            """);

        var state = TrainingCheckpointStore<CheckpointState>.ReadState(folder);

        Assert.Equal(12, state.Iteration);
        Assert.Equal(0.75, state.BestValidationF1);
        Assert.Equal([new EpochSummary(1, 6, 0.9, 0.5, 0.001), new EpochSummary(2, 12, 0.7, 0.75, 0.001)], state.History);
        var written = JsonNode.Parse(JsonSerializer.Serialize(state, SegmentationModel.JsonOptions))!.AsObject();
        Assert.Equal(12, (long)written["iteration"]!);
        Assert.False(written.ContainsKey("step"));
        Assert.Equal(0.5, (double)written["history"]![0]!["validationF1"]!);
    }

    [Fact]
    public void A_centermask_model_file_with_the_test_suffixed_keys_keeps_its_inference_values()
    {
        var config = CenterMaskConfig.LivecellV99;   // 4000 / 3000: not the defaults, so a silently ignored key would show
        var json = JsonNode.Parse(JsonSerializer.Serialize(new CenterMaskModelHeader { Config = config }, SegmentationModel.JsonOptions))!.AsObject();
        var c = json["config"]!.AsObject();
        foreach (var (name, former) in new[] { ("scoreThreshold", "scoreThresholdTest"), ("preNmsTopK", "preNmsTopKTest"), ("postNmsTopK", "postNmsTopKTest") })
        {
            Assert.True(c.Remove(name, out var value), name);
            c[former] = value;
        }

        var path = Path.Combine(TestPaths.NewTempFolder(), "old.cmask");
        var bytes = Encoding.UTF8.GetBytes(json.ToJsonString());
        using (var writer = new BinaryWriter(File.Create(path)))
        {
            writer.Write(Encoding.ASCII.GetBytes(CenterMaskModelFile.FormatName + "\n"));
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }

        var header = CenterMaskModelFile.ReadHeader(path);

        Assert.Equal(JsonSerializer.Serialize(config, SegmentationModel.JsonOptions), JsonSerializer.Serialize(header.Config, SegmentationModel.JsonOptions));
        Assert.Equal(4000, header.Config.PreNmsTopK);
        Assert.Equal(3000, header.Config.PostNmsTopK);
        var rewritten = JsonSerializer.Serialize(header, SegmentationModel.JsonOptions);
        Assert.DoesNotContain("NmsTopKTest", rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain("scoreThresholdTest", rewritten, StringComparison.Ordinal);
        Assert.Contains("\"preNmsTopK\": 4000", rewritten, StringComparison.Ordinal);
    }
    [Fact]
    public void A_unet_model_file_that_names_its_architecture_variant_loads()
    {
        var folder = TestPaths.NewTempFolder();
        var path = Path.Combine(folder, "new.model");
        using var model = SegmentationModel.Create(UNetArchitectures.DeepUNet, new UNetOptions { Depth = 2, BaseChannels = 4, Bilinear = true }, seed: 9);
        model.Save(path);

        // The same file with the header as earlier versions wrote it: "variant" where today's says "architecture".
        var bytes = File.ReadAllBytes(path);
        var magic = Encoding.ASCII.GetByteCount(SegmentationModel.FormatName + "\n");
        var length = BitConverter.ToInt32(bytes, magic);
        var header = JsonNode.Parse(bytes.AsSpan(magic + 4, length))!.AsObject();
        Assert.True(header.Remove("architecture", out var architecture));
        header["variant"] = architecture;
        var oldHeader = Encoding.UTF8.GetBytes(header.ToJsonString());
        var old = Path.Combine(folder, "old.model");
        using (var writer = new BinaryWriter(File.Create(old)))
        {
            writer.Write(bytes.AsSpan(0, magic));
            writer.Write(oldHeader.Length);
            writer.Write(oldHeader);
            writer.Write(bytes.AsSpan(magic + 4 + length));
        }

        using var loaded = SegmentationModel.Load(old);
        Assert.Equal(UNetArchitectures.DeepUNet, loaded.Header.Architecture);
        Assert.True(UNetArchitectureTests.WeightsEqual(model.Network, loaded.Network));
    }
}
