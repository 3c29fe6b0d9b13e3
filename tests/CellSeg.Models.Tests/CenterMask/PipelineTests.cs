using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class PipelineTests
{
    [Fact]
    public void Two_images_of_different_sizes_go_through_input_backbone_head_targets_loss_and_proposals()
    {
        random.manual_seed(8);
        var config = new CenterMaskConfig { FpnChannels = 32, FcosTowerConvs = 1, ScoreThresholdTrain = 0f, PostNmsTopKTrain = 20 };
        using var backbone = config.CreateBackbone();
        using var head = config.CreateFcosHead();
        using var small = rand(40, 50) * 255;
        using var large = rand(70, 90) * 255;
        using var smallBoxes = tensor(new float[] { 5, 5, 25, 30 }).reshape(1, 4);
        using var largeBoxes = tensor(new float[] { 10, 10, 40, 35, 50, 20, 85, 65 }).reshape(2, 4);
        using var batch = config.CreateInput().Prepare(
            [new CenterMaskSample(small, smallBoxes), new CenterMaskSample(large, largeBoxes)], shortSide: 0, maxSize: 0, flip: false);
        Assert.Equal(new long[] { 2, 3, 96, 96 }, batch.Images.shape);

        var features = backbone.forward(batch.Images);
        using var output = head.forward(features);
        var targets = config.CreateTargets();
        var perImage = Enumerable.Range(0, 2).Select(i => targets.Compute(output.LevelShapes, batch.Boxes[i]!, batch.Classes[i]!)).ToList();
        using var losses = config.CreateLoss().Compute(output, perImage);
        Assert.True(losses.NumPositives > 0);
        Assert.All(new[] { losses.Classification, losses.Localization, losses.Centerness }, t => Assert.True(float.IsFinite(t.item<float>())));

        var proposals = config.CreatePostProcessor(training: true).Process(output, batch.ImageSizes);
        Assert.Equal(2, proposals.Count);
        for (var i = 0; i < 2; i++)
        {
            var (h, w) = batch.ImageSizes[i];
            Assert.Equal(20, proposals[i].Count);
            Assert.True(proposals[i].Boxes[.., 2].le(w).all().item<bool>());
            Assert.True(proposals[i].Boxes[.., 3].le(h).all().item<bool>());
            Assert.True(proposals[i].Scores[..^1].ge(proposals[i].Scores[1..]).all().item<bool>());
            proposals[i].Dispose();
        }

        foreach (var t in perImage)
        {
            t.Dispose();
        }

        foreach (var f in features)
        {
            f.Dispose();
        }
    }
}
