using CellSeg.Models.CenterMask;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class RoiHeadTrainingTests
{
    [Fact]
    public void A_few_steps_on_fixed_rois_reduce_the_mask_and_mask_iou_losses()
    {
        torch.manual_seed(3);
        const int n = 6, channels = 8;
        using var mask = new SagMaskHead(new SagMaskOptions(channels, 2, channels, 1));
        using var iou = new MaskIouHead(new MaskIouOptions(channels, 2, channels, 1));

        // Features that carry the answer: channel 0 holds the target disc at 14×14, the rest is noise.
        var targets = new float[n * 784];
        var features = randn(n, channels, 14, 14) * 0.1f;
        for (var i = 0; i < n; i++)
        {
            var radius = 5 + i;
            for (var y = 0; y < 28; y++)
            {
                for (var x = 0; x < 28; x++)
                {
                    targets[i * 784 + y * 28 + x] = (x - 13.5) * (x - 13.5) + (y - 13.5) * (y - 13.5) <= radius * radius ? 1 : 0;
                }
            }
        }

        using var gt = tensor(targets, [n, 28, 28]);
        using (no_grad())
        {
            features[TensorIndex.Colon, 0] = nn.functional.avg_pool2d(gt.unsqueeze(1), 2).squeeze(1) * 2 - 1;
        }

        using var classes = zeros(n, ScalarType.Int64);
        using var ratios = full(n, 0.8f);
        var parameters = mask.parameters().Concat(iou.parameters()).ToArray();
        using var optimizer = optim.Adam(parameters, 1e-2);

        (float Mask, float Iou) Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var logits = mask.forward(features);
            var maskLoss = MaskHeadLoss.Compute(logits, classes, gt);
            var selected = MaskHeadLoss.SelectClass(logits, classes);
            var iouTargets = MaskIouLoss.Targets(selected, gt, ratios);
            var predictedIou = iou.forward(features, selected.sigmoid().unsqueeze(1));
            var iouLoss = MaskIouLoss.Compute(predictedIou, classes, iouTargets);
            (maskLoss + iouLoss).backward();
            optimizer.step();
            return (maskLoss.item<float>(), iouLoss.item<float>());
        }

        var first = Step();
        var last = first;
        for (var s = 0; s < 15; s++)
        {
            last = Step();
        }

        Assert.True(last.Mask < 0.7f * first.Mask, $"mask loss {first.Mask} → {last.Mask}");
        Assert.True(last.Iou < first.Iou, $"MaskIoU loss {first.Iou} → {last.Iou}");
        features.Dispose();
    }
}
