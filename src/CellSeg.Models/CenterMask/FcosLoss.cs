using CellSeg.Models.Torch;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// FCOS losses (centermask2 <c>fcos_losses</c>), returned separately because each is logged as a
/// step metric: sigmoid focal loss over all locations, GIoU loss over positives weighted by the
/// centerness target, and centerness BCE over positives.
/// </summary>
/// <remarks>
/// Normalisation as centermask2 on one process: cls sum / max(num_pos, 1); loc Σ(1 − GIoU)·ctr /
/// max(Σctr, 1e-6); ctr sum / max(num_pos, 1). With no positive location the loc and ctr terms are
/// zero (kept in the graph); centermask2 would assert there instead.
/// </remarks>
public sealed class FcosLoss
{
    /// <param name="numClasses">Foreground classes (logit channels).</param>
    /// <param name="focalAlpha">Focal loss α (LOSS_ALPHA 0.25).</param>
    /// <param name="focalGamma">Focal loss γ (LOSS_GAMMA 2.0).</param>
    public FcosLoss(int numClasses, double focalAlpha = 0.25, double focalGamma = 2.0)
    {
        NumClasses = numClasses;
        FocalAlpha = focalAlpha;
        FocalGamma = focalGamma;
    }

    /// <summary>Foreground classes.</summary>
    public int NumClasses { get; }

    /// <summary>Focal loss α.</summary>
    public double FocalAlpha { get; }

    /// <summary>Focal loss γ.</summary>
    public double FocalGamma { get; }

    /// <summary>The three losses for a batch: <paramref name="targets"/> holds one entry per image of the head's batch.</summary>
    public FcosLossValues Compute(FcosHeadOutput head, IReadOnlyList<FcosImageTargets> targets)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(targets);
        var batch = head.Logits[0].shape[0];
        if (targets.Count != batch)
        {
            throw new ArgumentException($"FCOS loss: {batch} images in the batch but {targets.Count} target sets.", nameof(targets));
        }

        using var scope = NewDisposeScope();
        var logits = Flatten(head.Logits, NumClasses);
        var regression = Flatten(head.BoxRegression, 4);
        var centerness = Flatten(head.Centerness, 1).reshape(-1);
        var labels = cat(targets.Select(t => t.Labels).ToArray(), 0);
        var regressionTargets = cat(targets.Select(t => t.RegressionTargets).ToArray(), 0);
        if (labels.shape[0] != logits.shape[0])
        {
            throw new ArgumentException($"FCOS loss: the head has {logits.shape[0]} locations but the targets {labels.shape[0]}; were they computed for these feature maps?", nameof(targets));
        }

        var positives = labels.NotEqualTo(NumClasses).nonzero().reshape(-1);
        var numPositives = positives.shape[0];
        var classTarget = functional.one_hot(labels, NumClasses + 1)[.., ..NumClasses].to_type(logits.dtype);
        var classification = SigmoidFocalLoss(logits, classTarget, FocalAlpha, FocalGamma).Over(Math.Max(numPositives, 1));

        Tensor localization;
        Tensor centernessLoss;
        if (numPositives == 0)
        {
            localization = regression.sum().Times(0);
            centernessLoss = centerness.sum().Times(0);
        }
        else
        {
            var predicted = regression.index_select(0, positives);
            var target = regressionTargets.index_select(0, positives);
            var ctrTarget = CenternessTargets(target);
            var norm = Math.Max(ctrTarget.sum().item<float>(), 1e-6f);
            localization = GiouLoss(predicted, target, ctrTarget).Over(norm);
            centernessLoss = functional.binary_cross_entropy_with_logits(centerness.index_select(0, positives), ctrTarget, reduction: Reduction.Sum).Over(numPositives);
        }

        return new FcosLossValues(classification.MoveToOuterDisposeScope(), localization.MoveToOuterDisposeScope(), centernessLoss.MoveToOuterDisposeScope(), numPositives);
    }

    /// <summary>Centerness target sqrt(min(l,r)/max(l,r) · min(t,b)/max(t,b)) of [P, 4] (l, t, r, b) targets.</summary>
    public static Tensor CenternessTargets(Tensor regressionTargets)
    {
        using var scope = NewDisposeScope();
        var l = regressionTargets[.., 0];
        var t = regressionTargets[.., 1];
        var r = regressionTargets[.., 2];
        var b = regressionTargets[.., 3];
        var result = sqrt(minimum(l, r) / maximum(l, r) * (minimum(t, b) / maximum(t, b)));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sigmoid focal loss summed over every element (fvcore <c>sigmoid_focal_loss</c>, reduction "sum"):
    /// BCE · (1 − p_t)^γ · α_t.
    /// </summary>
    public static Tensor SigmoidFocalLoss(Tensor logits, Tensor targets, double alpha, double gamma)
    {
        using var scope = NewDisposeScope();
        var p = sigmoid(logits);
        var ce = functional.binary_cross_entropy_with_logits(logits, targets, reduction: Reduction.None);
        var pT = (p * targets).Plus(p.Subtracted(1) * targets.Subtracted(1));
        using var exponent = Scalars.Of(gamma);
        var loss = ce * pT.Subtracted(1).pow(exponent);
        if (alpha >= 0)
        {
            loss = loss * targets.Times(alpha).Plus(targets.Subtracted(1).Times(1 - alpha));
        }

        return loss.sum().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// GIoU loss Σ(1 − GIoU)·w of (l, t, r, b) predictions and targets from the same location, with
    /// FCOS's smoothed IoU (I + 1)/(U + 1) and enclosing area + 1e-7; unweighted sum when Σw is 0.
    /// </summary>
    public static Tensor GiouLoss(Tensor predicted, Tensor target, Tensor? weight)
    {
        using var scope = NewDisposeScope();
        var (pl, pt, pr, pb) = (predicted[.., 0], predicted[.., 1], predicted[.., 2], predicted[.., 3]);
        var (tl, tt, tr, tb) = (target[.., 0], target[.., 1], target[.., 2], target[.., 3]);
        var targetArea = tl.Plus(tr) * tt.Plus(tb);
        var predictedArea = pl.Plus(pr) * pt.Plus(pb);
        var intersection = minimum(pl, tl).Plus(minimum(pr, tr)) * minimum(pb, tb).Plus(minimum(pt, tt));
        var enclosing = (maximum(pl, tl).Plus(maximum(pr, tr)) * maximum(pb, tb).Plus(maximum(pt, tt))).Plus(1e-7);
        var union = targetArea.Plus(predictedArea) - intersection;
        var iou = intersection.Plus(1.0) / union.Plus(1.0);
        var giou = iou - (enclosing - union) / enclosing;
        var losses = giou.Subtracted(1);
        var result = weight is not null && weight.sum().item<float>() > 0 ? (losses * weight).sum() : losses.sum();
        return result.MoveToOuterDisposeScope();
    }

    // [N, C, H, W] per level → [N · Σ(H·W), C], image-major then level then row-major: the order of
    // the concatenated per-image targets.
    private static Tensor Flatten(Tensor[] levels, long channels)
    {
        var batch = levels[0].shape[0];
        var parts = levels.Select(t => t.permute(0, 2, 3, 1).reshape(batch, -1, channels)).ToArray();
        return cat(parts, 1).reshape(-1, channels);
    }
}

/// <summary>The three FCOS loss components of one batch (scalars); <see cref="Total"/> is their sum.</summary>
/// <param name="Classification">loss_fcos_cls.</param>
/// <param name="Localization">loss_fcos_loc.</param>
/// <param name="Centerness">loss_fcos_ctr.</param>
/// <param name="NumPositives">Positive locations in the batch.</param>
public sealed record FcosLossValues(Tensor Classification, Tensor Localization, Tensor Centerness, long NumPositives) : IDisposable
{
    /// <summary>Sum of the three components (a new tensor, for backward).</summary>
    public Tensor Total => Classification.Plus(Localization).Plus(Centerness);

    /// <inheritdoc />
    public void Dispose()
    {
        Classification.Dispose();
        Localization.Dispose();
        Centerness.Dispose();
    }
}
