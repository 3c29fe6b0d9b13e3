using CellSeg.Models.CenterMask;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class FcosTrainingTests
{
    [Fact]
    public void Sgd_steps_on_a_tiny_backbone_fpn_fcos_model_reduce_its_loss()
    {
        random.manual_seed(21);
        var config = new CenterMaskConfig { FpnChannels = 32, FcosTowerConvs = 1 };
        using var backbone = config.CreateBackbone();
        using var head = config.CreateFcosHead();
        var input = config.CreateInput();
        var targets = config.CreateTargets();
        var loss = config.CreateLoss();

        using var image = rand(64, 64) * 40 + 108;
        using var boxes = tensor(new float[] { 8, 8, 30, 28, 36, 34, 60, 58 }).reshape(2, 4);
        using var batch = input.Prepare([new CenterMaskSample(image, boxes)], shortSide: 0, maxSize: 0, flip: false);

        var parameters = backbone.parameters().Concat(head.parameters()).ToList();
        using var optimizer = optim.SGD(parameters, 0.02, momentum: 0.9);
        var losses = new List<float>();
        for (var step = 0; step < 8; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var features = backbone.forward(batch.Images);
            using var output = head.forward(features);
            using var imageTargets = targets.Compute(output.LevelShapes, batch.Boxes[0]!, batch.Classes[0]!);
            using var values = loss.Compute(output, [imageTargets]);
            Assert.True(values.NumPositives > 0);
            var total = values.Total;
            total.backward();
            optimizer.step();
            losses.Add(total.item<float>());
        }

        Assert.True(losses[^1] < losses[0] * 0.98, string.Join(", ", losses));
    }

    [Fact]
    public void Head_outputs_have_the_documented_shapes_and_non_negative_distances()
    {
        random.manual_seed(4);
        using var head = new FcosHead(32, numClasses: 2, towerConvs: 2);
        Tensor[] features = [randn(2, 32, 8, 12), randn(2, 32, 4, 6), randn(2, 32, 2, 3), randn(2, 32, 1, 2), randn(2, 32, 1, 1)];
        using var output = head.forward(features);
        for (var l = 0; l < 5; l++)
        {
            Assert.Equal(new[] { 2L, 2, features[l].shape[2], features[l].shape[3] }, output.Logits[l].shape);
            Assert.Equal(new[] { 2L, 4, features[l].shape[2], features[l].shape[3] }, output.BoxRegression[l].shape);
            Assert.Equal(new[] { 2L, 1, features[l].shape[2], features[l].shape[3] }, output.Centerness[l].shape);
            Assert.True(output.BoxRegression[l].ge(0).all().item<bool>());
        }

        // Prior 0.01 through the class bias; weights N(0, 0.01) keep logits near it.
        Assert.InRange(output.Logits[0].mean().item<float>(), -Math.Log(99) - 0.25, -Math.Log(99) + 0.25);
        Assert.Equal(5, head.named_parameters().Count(p => p.name.StartsWith("scales.", StringComparison.Ordinal)));
        foreach (var f in features)
        {
            f.Dispose();
        }
    }
}
