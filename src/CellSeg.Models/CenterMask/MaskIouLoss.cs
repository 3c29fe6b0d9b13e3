using CellSeg.Models.Torch;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Targets and loss of the MaskIoU head, as centermask2's <c>mask_rcnn_loss</c> (target) and <c>mask_iou_loss</c>.
/// </summary>
public static class MaskIouLoss
{
    /// <summary>
    /// IoU of each predicted mask (logit &gt; 0) with its cell. The 28×28 GT crop only sees the part of the cell inside
    /// the proposal box, so the union uses the cell's full area estimated as <c>gt28_area / ratio</c>, where ratio is
    /// <see cref="MaskTarget.AreaRatio"/> (floored at 1e-10); the union is at least 1. No gradient.
    /// </summary>
    /// <param name="selectedLogits">[N, M, M] logits of the GT class (<see cref="MaskHeadLoss.SelectClass"/>).</param>
    /// <param name="gtMasks">[N, M, M] 0/1 targets.</param>
    /// <param name="areaRatios">[N] cell area inside the box / full cell area.</param>
    /// <returns>[N] targets in the logits' dtype.</returns>
    public static Tensor Targets(Tensor selectedLogits, Tensor gtMasks, Tensor areaRatios)
    {
        ArgumentNullException.ThrowIfNull(selectedLogits);
        ArgumentNullException.ThrowIfNull(gtMasks);
        ArgumentNullException.ThrowIfNull(areaRatios);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = selectedLogits.device;
        var predicted = selectedLogits.detach().Above(0).to(ScalarType.Float64);
        var gt = gtMasks.to(ScalarType.Float64, device);
        var ratios = areaRatios.to(ScalarType.Float64, device).ClampMin(1e-10);
        var gtFullArea = gt.sum([1, 2]) / ratios;
        var overlap = (predicted * gt).sum([1, 2]).ClampMin(0);
        var union = (predicted.sum([1, 2]).Plus(gtFullArea) - overlap).ClampMin(1);
        return (overlap / union).to(selectedLogits.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>weight · Σ 0.5 (pred − target)² / n_pos</c> over the RoIs whose target is &gt; 0, pred taken at each RoI's
    /// GT class; zero (with graph) when no target is positive or there are no RoIs.
    /// </summary>
    /// <param name="predictedIou">[N, K] from <see cref="MaskIouHead"/>.</param>
    /// <param name="gtClasses">[N] class of each RoI's cell.</param>
    /// <param name="targets">[N] from <see cref="Targets"/>.</param>
    /// <param name="weight">MASKIOU_LOSS_WEIGHT (1.0).</param>
    public static Tensor Compute(Tensor predictedIou, Tensor gtClasses, Tensor targets, double weight = 1.0)
    {
        ArgumentNullException.ThrowIfNull(predictedIou);
        ArgumentNullException.ThrowIfNull(gtClasses);
        ArgumentNullException.ThrowIfNull(targets);
        if (predictedIou.shape[0] == 0)
        {
            return predictedIou.sum().Times(0);
        }

        using var scope = NewDisposeScope();
        var rows = HeldArithmetic.Range(predictedIou.shape[0], ScalarType.Int64, predictedIou.device);
        var atClass = predictedIou.index([rows, gtClasses.to(ScalarType.Int64, predictedIou.device)]);
        var target = targets.to(atClass.dtype, atClass.device);
        var positive = target.Above(0).nonzero().squeeze(1);
        var count = positive.shape[0];
        if (count == 0)
        {
            return atClass.sum().Times(0).MoveToOuterDisposeScope();
        }

        var difference = atClass.index_select(0, positive) - target.index_select(0, positive);
        return difference.Squared().sum().Times(0.5 * weight / count).MoveToOuterDisposeScope();
    }
}
