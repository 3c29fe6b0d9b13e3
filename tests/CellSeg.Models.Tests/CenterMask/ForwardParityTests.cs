using System.Text.Json;
using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

/// <summary>
/// A tiny VoVNet (depthwise or plain 3×3, with a residual block) + FPN + FCOS head gives PyTorch's outputs when both
/// hold the same weights, loaded through the centermask2 name map (fixtures/make_forward_fixture.py).
/// </summary>
public class ForwardParityTests
{
    private static JsonElement Load(string file) => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(TestPaths.RepoRoot, "tests", "CellSeg.Models.Tests", "CenterMask", "fixtures", file))).RootElement;

    private static Tensor Formula(long[] shape, int index, bool positive = false)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[n];
        for (long i = 0; i < n; i++)
        {
            var v = Math.Sin(0.61 * i + 1.7 * index);
            values[i] = (float)(positive ? 0.5 + Math.Abs(v) : 0.3 * v);
        }

        return tensor(values).reshape(shape);
    }

    [Theory]
    [InlineData(true, "tiny_forward.json")]
    [InlineData(false, "tiny_forward_plain.json")]
    public void Backbone_fpn_and_head_match_pytorch_with_weights_loaded_by_centermask2_names(bool depthwise, string file)
    {
        var fixture = Load(file);
        var spec = new VoVNetSpec("tiny", [8, 8, 8], [8, 8, 8, 8], [16, 16, 16, 16], 2, [1, 2, 1, 1], depthwise);
        using var backbone = new CenterMaskBackbone(spec, 32);
        using var head = new FcosHead(32, numClasses: 1, towerConvs: 1);
        var map = CenterMaskParameterNames.Centermask2Map(backbone, head);
        var ours = backbone.state_dict().ToDictionary(kv => CenterMaskParameterNames.BackbonePrefix + kv.Key, kv => kv.Value);
        foreach (var kv in head.state_dict())
        {
            ours[CenterMaskParameterNames.FcosHeadPrefix + kv.Key] = kv.Value;
        }

        var theirs = fixture.GetProperty("keys").EnumerateArray().Select(e => e.GetString()!).ToList();
        var byTheirName = map.ToDictionary(kv => kv.Value, kv => kv.Key);
        Assert.Equal(theirs.OrderBy(k => k, StringComparer.Ordinal), byTheirName.Keys.OrderBy(k => k, StringComparer.Ordinal));
        using (no_grad())
        {
            for (var index = 0; index < theirs.Count; index++)
            {
                var target = ours[byTheirName[theirs[index]]];
                using var value = Formula(target.shape, index, theirs[index].EndsWith("running_var", StringComparison.Ordinal));
                target.copy_(value);
            }
        }

        using var input = Formula([1, 3, 128, 192], 1000) * 10;
        var levels = backbone.forward(input);
        using var output = head.forward(levels);
        var expectedLevels = fixture.GetProperty("levels").EnumerateArray().ToArray();
        for (var l = 0; l < 5; l++)
        {
            AssertClose(expectedLevels[l], levels[l], $"P{l + 3}");
            AssertClose(fixture.GetProperty("logits")[l], output.Logits[l], $"logits P{l + 3}");
            AssertClose(fixture.GetProperty("regression")[l], output.BoxRegression[l], $"regression P{l + 3}");
            AssertClose(fixture.GetProperty("centerness")[l], output.Centerness[l], $"centerness P{l + 3}");
            levels[l].Dispose();
        }
    }

    private static void AssertClose(JsonElement expected, Tensor actual, string what)
    {
        Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(), actual.shape);
        var flat = actual.reshape(-1);
        var sum = flat.sum().item<float>();
        var absSum = flat.abs().sum().item<float>();
        Assert.True(Math.Abs(sum - expected.GetProperty("sum").GetDouble()) <= 1e-3 * absSum + 1e-3, $"{what}: sum {sum} vs {expected.GetProperty("sum").GetDouble()}");
        Assert.True(Math.Abs(absSum - expected.GetProperty("abs_sum").GetDouble()) <= 1e-4 * absSum + 1e-3, $"{what}: |sum| {absSum}");
        var first = expected.GetProperty("first").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var values = flat[..first.Length].data<float>().ToArray();
        for (var i = 0; i < first.Length; i++)
        {
            Assert.True(Math.Abs(values[i] - first[i]) <= 1e-4 * Math.Max(1, Math.Abs(first[i])), $"{what}[{i}]: {values[i]} vs {first[i]}");
        }
    }
}
