using CellSeg.Models.CenterMask;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class CenterMaskRoiHeadsTests
{
    private static CenterMaskRoiHeads Tiny() =>
        new(new SagMaskOptions(8, 2, 8, 1), new MaskIouOptions(8, 2, 8, 1), matcher: new ProposalMatcherOptions(BatchSizePerImage: 64));

    private static Tensor[] Features(int batch, bool grad = false) =>
        [randn(batch, 8, 8, 8).requires_grad_(grad), randn(batch, 8, 4, 4).requires_grad_(grad), randn(batch, 8, 2, 2).requires_grad_(grad)];

    [Fact]
    public void Training_losses_come_from_the_foreground_rois_and_reach_the_features()
    {
        torch.manual_seed(1);
        using var heads = Tiny();
        var features = Features(2, grad: true);
        double[] cellA = [10, 10, 10, 30, 30, 30, 30, 10];
        double[] cellB = [40, 35, 40, 60, 58, 60, 58, 35];
        var images = new[]
        {
            // Image 0: one proposal on cell A (IoU 0.81), one on nothing; GT appended → 2 foreground.
            new RoiTrainingImage(64, 64, [11, 11, 30, 30, 50, 0, 60, 8], [10, 10, 30, 30, 40, 35, 58, 60], [0, 0], [[cellA], [cellB]]),
            // Image 1: no proposals, one cell → its GT box is the only RoI.
            new RoiTrainingImage(64, 64, [], [40, 35, 58, 60], [0], [[cellB]]),
        };

        var losses = heads.Losses(features, images, new Random(3));
        Assert.Equal(4, losses.ForegroundRois);
        Assert.True(float.IsFinite(losses.Mask.item<float>()) && losses.Mask.item<float>() > 0);
        Assert.True(float.IsFinite(losses.MaskIou.item<float>()));
        (losses.Mask + losses.MaskIou).backward();
        Assert.True(features[0].grad!.abs().sum().item<float>() > 0, "the mask loss reaches P3");
        foreach (var f in features)
        {
            f.Dispose();
        }
    }

    [Fact]
    public void Without_foreground_the_losses_are_zero()
    {
        using var heads = Tiny();
        var features = Features(1);
        var losses = heads.Losses(features, [new RoiTrainingImage(64, 64, [0, 0, 5, 5], [], [], [])], new Random(0));
        Assert.Equal(0, losses.ForegroundRois);
        Assert.Equal(0f, losses.Mask.item<float>());
        Assert.Equal(0f, losses.MaskIou.item<float>());
    }

    [Fact]
    public void Prediction_of_more_rois_than_a_chunk_equals_the_heads_run_on_all_of_them_at_once()
    {
        torch.manual_seed(4);
        using var heads = Tiny();
        var features = Features(1);
        using var noGrad = no_grad();
        var n = CenterMaskRoiHeads.PredictChunk * 2 + 37;
        using var xy = rand(n, 2) * 50;
        using var wh = rand(n, 2) * 12 + 2;
        using var boxes = cat([xy, xy + wh], 1);
        using var scores = rand(n);
        var predictions = heads.Predict(features, [boxes], [scores], [zeros(n, ScalarType.Int64)], [(64, 64)]);

        using var rois = cat([zeros(n, 1), boxes], 1);
        using var pooled = new MultiLevelRoiPooler().Pool(features, rois, [(64, 64)]);
        using var probabilities = heads.MaskHead.forward(pooled).sigmoid();
        using var iou = heads.MaskIouHead.forward(pooled, probabilities);
        Assert.Equal(new long[] { n, 1, 28, 28 }, predictions[0].Probabilities.shape);
        Assert.True(probabilities.allclose(predictions[0].Probabilities, 1e-5, 1e-6));
        using var expected = scores * iou[TensorIndex.Colon, 0];
        Assert.True(expected.allclose(predictions[0].MaskScores, 1e-5, 1e-6));
    }

    [Fact]
    public void Prediction_gives_each_image_its_masks_and_mask_scores()
    {
        using var heads = Tiny();
        var features = Features(2);
        using var noGrad = no_grad();
        var predictions = heads.Predict(
            features,
            [tensor(new float[] { 1, 1, 20, 20, 5, 5, 60, 50, 30, 30, 34, 33 }, [3, 4]), zeros(0, 4)],
            [tensor(new float[] { 0.9f, 0.5f, 0.2f }), zeros(0)],
            [zeros(3, ScalarType.Int64), zeros(0, ScalarType.Int64)],
            [(64, 64), (64, 64)]);
        Assert.Equal(2, predictions.Count);
        Assert.Equal(new long[] { 3, 1, 28, 28 }, predictions[0].Probabilities.shape);
        Assert.Equal(new long[] { 3 }, predictions[0].MaskScores.shape);
        Assert.Equal(new long[] { 0, 1, 28, 28 }, predictions[1].Probabilities.shape);

        // mask score = score × predicted IoU of the class: the same features through the heads by hand.
        using var rois = tensor(new float[] { 0, 1, 1, 20, 20, 0, 5, 5, 60, 50, 0, 30, 30, 34, 33 }, [3, 5]);
        using var pooled = new MultiLevelRoiPooler().Pool(features, rois, [(64, 64), (64, 64)]);
        using var probabilities = heads.MaskHead.forward(pooled).sigmoid();
        using var iou = heads.MaskIouHead.forward(pooled, probabilities);
        using var expected = tensor(new float[] { 0.9f, 0.5f, 0.2f }) * iou[TensorIndex.Colon, 0];
        Assert.True(expected.allclose(predictions[0].MaskScores, 1e-5, 1e-6));
    }

    [Fact]
    public void State_dict_keys_under_roi_heads_are_centermask2s()
    {
        using var heads = new CenterMaskRoiHeads();
        var keys = heads.state_dict().Keys.Select(k => "roi_heads." + k).Order();
        var expected = CenterMaskRoiHeadNames.ForMaskHead(heads.MaskHead).Values.Concat(CenterMaskRoiHeadNames.ForMaskIouHead(heads.MaskIouHead).Values).Order();
        Assert.Equal(expected, keys);
    }
}
