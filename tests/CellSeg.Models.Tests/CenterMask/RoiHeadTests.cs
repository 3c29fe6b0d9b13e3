using CellSeg.Models.CenterMask;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class RoiHeadTests
{
    [Theory]
    [InlineData(2, 3)]
    [InlineData(4, 1)]
    public void Sag_mask_head_turns_14x14_features_into_28x28_logits_per_class(int numConv, int classes)
    {
        using var head = new SagMaskHead(new SagMaskOptions(InputChannels: 6, NumConv: numConv, ConvDim: 8, NumClasses: classes));
        using var features = randn(5, 6, 14, 14);
        using var logits = head.forward(features);
        Assert.Equal(new long[] { 5, classes, 28, 28 }, logits.shape);
        Assert.Equal(numConv * 2 + 1 + 2 + 2, head.parameters().Count());
    }

    [Fact]
    public void Mask_iou_head_gives_one_iou_per_class_from_features_and_mask()
    {
        using var head = new MaskIouHead(new MaskIouOptions(InputChannels: 6, NumConv: 2, ConvDim: 8, NumClasses: 3));
        using var features = randn(4, 6, 14, 14);
        using var mask = rand(4, 1, 28, 28);
        using var iou = head.forward(features, mask);
        Assert.Equal(new long[] { 4, 3 }, iou.shape);

        // fc1 reads ConvDim × 7 × 7: the last convolution has stride 2, and the first sees C + 1 channels.
        var shapes = head.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal(new long[] { 8, 7, 3, 3 }, shapes["maskiou_fcn1.weight"]);
        Assert.Equal(new long[] { 1024, 8 * 7 * 7 }, shapes["maskiou_fc1.weight"]);
        Assert.Equal(new long[] { 3, 1024 }, shapes["maskiou.weight"]);
    }

    [Fact]
    public void Lite_and_full_options_carry_the_published_widths()
    {
        Assert.Equal(new SagMaskOptions(128, 2, 128, 1), SagMaskOptions.Lite());
        Assert.Equal(new SagMaskOptions(256, 4, 256, 1), SagMaskOptions.Full());
        Assert.Equal(new MaskIouOptions(128, 2, 128, 1, 14), MaskIouOptions.Lite());
        Assert.Equal(new MaskIouOptions(256, 4, 256, 1, 14), MaskIouOptions.Full());
    }

    [Fact]
    public void Spatial_attention_scales_by_the_sigmoid_of_its_convolved_mean_and_max()
    {
        using var attention = new SpatialAttention();
        var weight = attention.named_parameters().Single().parameter;
        using (no_grad())
        {
            // Centre taps only: mean with weight 1, max with weight −2 → att = sigmoid(mean − 2·max).
            weight.zero_();
            weight[0, 0, 1, 1] = tensor(1f);
            weight[0, 1, 1, 1] = tensor(-2f);
        }

        var values = new float[] { 1, 2, 3, 4, /* channel 1 */ 3, 0, -1, 4 };
        using var input = tensor(values, [1, 2, 2, 2]);
        using var output = attention.forward(input);
        var got = output.data<float>().ToArray();
        for (var p = 0; p < 4; p++)
        {
            float a = values[p], b = values[4 + p];
            var att = 1f / (1f + MathF.Exp(-((a + b) / 2 - 2 * MathF.Max(a, b))));
            Assert.Equal(a * att, got[p], 5);
            Assert.Equal(b * att, got[4 + p], 5);
        }
    }

    [Fact]
    public void Mask_loss_is_the_mean_bce_over_the_gt_class_masks_only()
    {
        // Two RoIs, two classes; class 1's logits are 0 (BCE ln 2 whatever the target), class 0's are huge.
        using var logits = cat([full(2, 1, 28, 28, 100f), zeros(2, 1, 28, 28)], 1);
        using var loss = MaskHeadLoss.Compute(logits, tensor(new long[] { 1, 1 }), ones(2, 28, 28));
        Assert.Equal(MathF.Log(2), loss.item<float>(), 5);

        // Class 0 with logit 100 against target 1 is ~0, against target 0 it is ~100.
        using var right = MaskHeadLoss.Compute(logits, tensor(new long[] { 0, 0 }), ones(2, 28, 28));
        Assert.True(right.item<float>() < 1e-6);
        using var half = MaskHeadLoss.Compute(logits, tensor(new long[] { 0, 0 }), cat([ones(1, 28, 28), zeros(1, 28, 28)], 0));
        Assert.Equal(50f, half.item<float>(), 3);

        using var none = MaskHeadLoss.Compute(zeros(0, 2, 28, 28), zeros(0, ScalarType.Int64), zeros(0, 28, 28));
        Assert.Equal(0f, none.item<float>());
    }

    [Fact]
    public void Mask_iou_target_uses_the_full_cell_area_from_the_ratio()
    {
        // Prediction: 4 pixels with logit > 0 (row 0, x 0..3); GT: 6 pixels (row 0, x 1..6); overlap 3.
        var logits = new float[28 * 28];
        var gt = new float[28 * 28];
        for (var x = 0; x < 4; x++)
        {
            logits[x] = 1;
        }

        for (var x = 1; x < 7; x++)
        {
            gt[x] = 1;
        }

        using var l = tensor(logits.Concat(logits).Concat(new float[784]).ToArray(), [3, 28, 28]) - 0.5f;
        using var g = tensor(gt.Concat(gt).Concat(new float[784]).ToArray(), [3, 28, 28]);
        using var targets = MaskIouLoss.Targets(l, g, tensor(new float[] { 1f, 0.5f, 1f }));
        var t = targets.data<float>().ToArray();
        Assert.Equal(3f / 7f, t[0], 6);    // union 4 + 6 − 3
        Assert.Equal(3f / 13f, t[1], 6);   // the cell is 12 pixels in full: union 4 + 12 − 3
        Assert.Equal(0f, t[2]);           // nothing predicted, nothing there: union floored at 1
    }

    [Fact]
    public void Mask_iou_loss_is_half_squared_error_over_positive_targets_at_the_gt_class()
    {
        using var predicted = tensor(new float[] { 9, 0.5f, 9, 0.2f, 9, 0.9f }, [3, 2]);
        using var loss = MaskIouLoss.Compute(predicted, tensor(new long[] { 1, 1, 1 }), tensor(new float[] { 0.7f, 0f, 0.4f }));
        Assert.Equal(0.5f * (0.04f + 0.25f) / 2, loss.item<float>(), 6);

        using var noPositive = MaskIouLoss.Compute(predicted, tensor(new long[] { 0, 0, 0 }), zeros(3));
        Assert.Equal(0f, noPositive.item<float>());
    }

    [Fact]
    public void Inference_takes_the_predicted_class_mask_and_scales_the_score_by_its_iou()
    {
        using var logits = cat([zeros(2, 1, 28, 28), full(2, 1, 28, 28, 2f)], 1);
        using var probabilities = MaskInference.PredictedClassProbabilities(logits, tensor(new long[] { 1, 0 }));
        Assert.Equal(new long[] { 2, 1, 28, 28 }, probabilities.shape);
        Assert.Equal(1f / (1f + MathF.Exp(-2f)), probabilities[0, 0, 5, 5].item<float>(), 6);
        Assert.Equal(0.5f, probabilities[1, 0, 5, 5].item<float>(), 6);

        using var scores = MaskInference.MaskScores(tensor(new float[] { 0.8f, 0.5f }), tensor(new float[] { 0.1f, 0.9f, 0.6f, 0.3f }, [2, 2]), tensor(new long[] { 1, 0 }));
        Assert.Equal(new[] { 0.72f, 0.3f }, scores.data<float>().ToArray().Select(v => MathF.Round(v, 6)).ToArray());
    }

    [Fact]
    public void Every_parameter_maps_to_its_centermask2_checkpoint_key()
    {
        using var mask = new SagMaskHead(SagMaskOptions.Lite());
        using var iou = new MaskIouHead(MaskIouOptions.Lite());
        var maskMap = CenterMaskRoiHeadNames.ForMaskHead(mask);
        var iouMap = CenterMaskRoiHeadNames.ForMaskIouHead(iou);

        string[] expectedMask =
        [
            "roi_heads.mask_head.mask_fcn1.weight", "roi_heads.mask_head.mask_fcn1.bias",
            "roi_heads.mask_head.mask_fcn2.weight", "roi_heads.mask_head.mask_fcn2.bias",
            "roi_heads.mask_head.spatialAtt.conv.weight",
            "roi_heads.mask_head.deconv.weight", "roi_heads.mask_head.deconv.bias",
            "roi_heads.mask_head.predictor.weight", "roi_heads.mask_head.predictor.bias",
        ];
        string[] expectedIou =
        [
            "roi_heads.maskiou_head.maskiou_fcn1.weight", "roi_heads.maskiou_head.maskiou_fcn1.bias",
            "roi_heads.maskiou_head.maskiou_fcn2.weight", "roi_heads.maskiou_head.maskiou_fcn2.bias",
            "roi_heads.maskiou_head.maskiou_fc1.weight", "roi_heads.maskiou_head.maskiou_fc1.bias",
            "roi_heads.maskiou_head.maskiou_fc2.weight", "roi_heads.maskiou_head.maskiou_fc2.bias",
            "roi_heads.maskiou_head.maskiou.weight", "roi_heads.maskiou_head.maskiou.bias",
        ];
        Assert.Equal(expectedMask.Order(), maskMap.Values.Order());
        Assert.Equal(expectedIou.Order(), iouMap.Values.Order());
        Assert.Equal(mask.named_parameters().Select(p => p.name).Order(), maskMap.Keys.Order());
        Assert.Equal(iou.named_parameters().Select(p => p.name).Order(), iouMap.Keys.Order());
    }

    [Fact]
    public void Heads_registered_in_a_parent_keep_their_keys_under_the_parents_names()
    {
        // The integrator composes the heads into a larger module; TorchSharp then registers their fields again.
        using var parent = new RoiHeadsParent();
        var keys = parent.state_dict().Keys.Select(k => "roi_heads." + k).Order().ToArray();
        var expected = CenterMaskRoiHeadNames.ForMaskHead(parent.MaskHead).Values
            .Concat(CenterMaskRoiHeadNames.ForMaskIouHead(parent.MaskIouHead).Values).Order().ToArray();
        Assert.Equal(expected, keys);
    }

    [Fact]
    public void Initialisation_follows_centermask2()
    {
        torch.manual_seed(11);
        using var head = new SagMaskHead(SagMaskOptions.Lite());
        var p = head.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.Equal(0f, p["mask_fcn1.bias"].abs().max().item<float>());
        Assert.Equal(0f, p["predictor.bias"].abs().max().item<float>());
        Assert.InRange(p["predictor.weight"].std().item<float>(), 0.0005f, 0.0015f);

        // c2_msra: std = sqrt(2 / fan_out), fan_out = 128 × 9.
        Assert.InRange(p["mask_fcn2.weight"].std().item<float>(), 0.9f * MathF.Sqrt(2f / 1152), 1.1f * MathF.Sqrt(2f / 1152));
    }
}

internal sealed class RoiHeadsParent : TorchSharp.torch.nn.Module
{
    private readonly SagMaskHead mask_head = new(new SagMaskOptions(4, 2, 4, 1));
    private readonly MaskIouHead maskiou_head = new(new MaskIouOptions(4, 2, 4, 1));

    public RoiHeadsParent()
        : base(nameof(RoiHeadsParent))
    {
        RegisterComponents();
    }

    public SagMaskHead MaskHead => mask_head;

    public MaskIouHead MaskIouHead => maskiou_head;
}
