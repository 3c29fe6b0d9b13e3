using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class FcosLossTests
{
    private static System.Text.Json.JsonElement Losses => CenterMaskReference.Root.GetProperty("losses");

    private static Tensor Load(string name) => Losses.GetProperty(name)[0].ValueKind == System.Text.Json.JsonValueKind.Array
        ? tensor(CenterMaskReference.Matrix(Losses.GetProperty(name)))
        : tensor(CenterMaskReference.Floats(Losses.GetProperty(name)));

    [Fact]
    public void Focal_loss_matches_fvcore_on_known_logits()
    {
        using var logits = Load("logits");
        using var targets = Load("targets");
        using var loss = FcosLoss.SigmoidFocalLoss(logits, targets, 0.25, 2.0);
        Assert.Equal(Losses.GetProperty("focal_sum").GetDouble(), loss.item<float>(), 4);
    }

    [Fact]
    public void Focal_loss_of_one_element_matches_the_hand_formula()
    {
        // x = 0 → p = 0.5; target 1: ce = ln 2, (1 − p_t)² = 0.25, α_t = 0.25.
        using var loss = FcosLoss.SigmoidFocalLoss(zeros(1), ones(1), 0.25, 2.0);
        Assert.Equal(Math.Log(2) * 0.25 * 0.25, loss.item<float>(), 6);
    }

    [Fact]
    public void Giou_loss_weighted_by_centerness_matches_the_reference()
    {
        using var pred = Load("pred");
        using var target = Load("target");
        using var ctr = FcosLoss.CenternessTargets(target);
        Assert.Equal(CenterMaskReference.Floats(Losses.GetProperty("centerness_target")), ctr.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
        using var loss = FcosLoss.GiouLoss(pred, target, ctr);
        Assert.Equal(Losses.GetProperty("giou_weighted_sum").GetDouble(), loss.item<float>(), 4);
    }

    [Fact]
    public void Giou_loss_of_a_perfect_prediction_is_zero_and_of_a_disjoint_one_above_one()
    {
        using var box = tensor(new float[] { 2, 3, 4, 5 }).reshape(1, 4);
        using var perfect = FcosLoss.GiouLoss(box, box, null);
        Assert.Equal(0, perfect.item<float>(), 5);
        // Hand case: target l=t=r=b=1 (2×2 = 4); prediction l=t=0, r=b=3 (3×3 = 9) at the same location:
        // I = (0+1)·(1+0) = 1, U = 4 + 9 − 1 = 12, IoU = 2/13, enclosing (1+3)·(1+3) = 16 → GIoU = 2/13 − 4/16.
        using var p = tensor(new float[] { 0, 0, 3, 3 }).reshape(1, 4);
        using var t = tensor(new float[] { 1, 1, 1, 1 }).reshape(1, 4);
        using var loss = FcosLoss.GiouLoss(p, t, null);
        Assert.Equal(1 - (2.0 / 13 - 4.0 / 16), loss.item<float>(), 5);
    }

    [Fact]
    public void Centerness_loss_and_full_loss_normalise_as_centermask2()
    {
        // One image, one level of 1×3 locations, one class: location 0 positive, 1 and 2 background.
        using var logits = tensor(new float[] { 0.5f, -1f, 2f }).reshape(1, 1, 1, 3);
        using var regression = tensor(new float[] { 1, 2, 2, 1, 2, 1, 3, 1, 1, 1, 1, 1 }).reshape(1, 4, 1, 3);
        using var centerness = tensor(new float[] { 0.3f, 0f, 0f }).reshape(1, 1, 1, 3);
        var head = new FcosHeadOutput([logits], [regression], [centerness]);
        using var labels = tensor(new long[] { 0, 1, 1 });
        using var reg = tensor(new float[] { 1, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 }).reshape(3, 4);
        using var levels = zeros(3, dtype: ScalarType.Int64);
        var targets = new FcosImageTargets(labels, reg, levels, [3]);
        using var values = new FcosLoss(1).Compute(head, [targets]);
        Assert.Equal(1, values.NumPositives);

        using var classTarget = tensor(new float[] { 1, 0, 0 });
        using var focal = FcosLoss.SigmoidFocalLoss(logits.reshape(-1), classTarget, 0.25, 2);
        Assert.Equal(focal.item<float>(), values.Classification.item<float>(), 5);

        // Location 0: predicted (l, t, r, b) = (1, 1, 3, 1), read across the four channels; target (1, 2, 1, 1).
        var ctr = Math.Sqrt(1.0 / 1 * (1.0 / 2));
        using var p = tensor(new float[] { 1, 1, 3, 1 }).reshape(1, 4);
        using var t = tensor(new float[] { 1, 2, 1, 1 }).reshape(1, 4);
        using var giou = FcosLoss.GiouLoss(p, t, null);
        Assert.Equal(giou.item<float>(), values.Localization.item<float>(), 5);     // Σ(1−GIoU)·c / Σc, one positive
        var bce = -(ctr * Math.Log(Sigmoid(0.3)) + (1 - ctr) * Math.Log(1 - Sigmoid(0.3)));
        Assert.Equal(bce, values.Centerness.item<float>(), 5);
    }

    [Fact]
    public void Centerness_bce_matches_the_reference()
    {
        using var logits = Load("ctr_logits");
        using var target = tensor(CenterMaskReference.Floats(Losses.GetProperty("centerness_target")));
        using var loss = TorchSharp.torch.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: TorchSharp.torch.nn.Reduction.Sum);
        Assert.Equal(Losses.GetProperty("ctr_bce_sum").GetDouble(), loss.item<float>(), 4);
    }

    [Fact]
    public void Batch_without_positives_gives_zero_box_losses()
    {
        using var logits = full(1, 1, 2, 2, -3f);
        using var regression = ones(1, 4, 2, 2);
        using var centerness = zeros(1, 1, 2, 2);
        var head = new FcosHeadOutput([logits], [regression], [centerness]);
        var targets = new FcosImageTargets(full(4, 1L, dtype: ScalarType.Int64), zeros(4, 4), zeros(4, dtype: ScalarType.Int64), [4]);
        using var values = new FcosLoss(1).Compute(head, [targets]);
        Assert.Equal(0, values.Localization.item<float>());
        Assert.Equal(0, values.Centerness.item<float>());
        Assert.True(values.Classification.item<float>() > 0);
        targets.Dispose();
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
