using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

/// <summary>
/// FCOS targets and proposals against centermask2's algorithms run in PyTorch on random inputs
/// (fixtures/make_fixtures.py: dense assignment, predict_proposals with torchvision's batched_nms).
/// </summary>
public class ReferenceParityTests
{
    private static readonly (long, long)[] Shapes = [(24, 32), (12, 16), (6, 8), (3, 4), (2, 2)];
    private static readonly int[] Strides = [8, 16, 32, 64, 128];

    [Fact]
    public void Targets_equal_centermask2_dense_assignment_on_random_boxes()
    {
        var r = CenterMaskReference.Root.GetProperty("targets");
        using var boxes = tensor(CenterMaskReference.Matrix(r.GetProperty("boxes")));
        using var classes = tensor(r.GetProperty("classes").EnumerateArray().Select(e => e.GetInt64()).ToArray());
        using var t = new FcosTargets(Strides, [64, 128, 256, 512], 2).Compute(Shapes, boxes, classes);
        var expected = r.GetProperty("labels").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(expected, t.Labels.data<long>().ToArray());
        using var positives = t.Labels.lt(2).nonzero().reshape(-1);
        using var regression = t.RegressionTargets.index_select(0, positives);
        using var reference = tensor(CenterMaskReference.Matrix(r.GetProperty("positive_regression")));
        Assert.True(regression.allclose(reference, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Proposals_equal_centermask2_predict_proposals_on_random_head_outputs()
    {
        var r = CenterMaskReference.Root.GetProperty("proposals");
        Tensor Level(string name, int l, long channels) =>
            tensor(CenterMaskReference.Floats(r.GetProperty(name)[l])).reshape(1, channels, Shapes[l].Item1, Shapes[l].Item2);
        var head = new FcosHeadOutput(
            Enumerable.Range(0, 5).Select(l => Level("logits", l, 2)).ToArray(),
            Enumerable.Range(0, 5).Select(l => Level("regression", l, 4)).ToArray(),
            Enumerable.Range(0, 5).Select(l => Level("centerness", l, 1)).ToArray());
        using var disposeHead = head;
        var size = r.GetProperty("image_size").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        using var d = new FcosPostProcessor(Strides, 0.05f, 30, 0.6f, 50).Process(head, [(size[0], size[1])])[0];
        using var boxes = tensor(CenterMaskReference.Matrix(r.GetProperty("boxes")));
        using var scores = tensor(CenterMaskReference.Floats(r.GetProperty("scores")));
        Assert.Equal(scores.shape[0], d.Count);
        Assert.True(d.Scores.allclose(scores, rtol: 1e-5, atol: 1e-6));
        Assert.True(d.Boxes.allclose(boxes, rtol: 1e-5, atol: 1e-4));
        Assert.Equal(r.GetProperty("classes").EnumerateArray().Select(e => e.GetInt64()).ToArray(), d.Classes.data<long>().ToArray());
    }
}
