using CellSeg.Models.Torch;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// The SAG-Mask training loss (centermask2's <c>mask_rcnn_loss</c>): binary cross-entropy with logits, averaged
/// over every pixel of the GT class's M×M mask of every foreground RoI.
/// </summary>
public static class MaskHeadLoss
{
    /// <summary>
    /// The mask logits of each RoI's class: [N, K, M, M] and classes [N] → [N, M, M]. Used for the loss in
    /// training (GT class) and, through <see cref="MaskInference"/>, for the predicted class at inference.
    /// </summary>
    public static Tensor SelectClass(Tensor maskLogits, Tensor classes)
    {
        ArgumentNullException.ThrowIfNull(maskLogits);
        ArgumentNullException.ThrowIfNull(classes);
        if (maskLogits.dim() != 4 || classes.dim() != 1 || classes.shape[0] != maskLogits.shape[0])
        {
            throw new ArgumentException($"expected logits [N, K, M, M] and classes [N], got [{string.Join(", ", maskLogits.shape)}] and [{string.Join(", ", classes.shape)}]");
        }

        using var rows = HeldArithmetic.Range(maskLogits.shape[0], ScalarType.Int64, maskLogits.device);
        using var cls = classes.to(ScalarType.Int64, maskLogits.device);
        return maskLogits.index([rows, cls]);
    }

    /// <summary>
    /// Mean BCE-with-logits between the GT class's logits and the 28×28 targets. With no foreground RoI it is
    /// <c>logits.sum() × 0</c> (a zero that keeps the graph, as detectron2).
    /// </summary>
    /// <param name="maskLogits">[N, K, M, M] from <see cref="SagMaskHead"/>.</param>
    /// <param name="gtClasses">[N] class index (0-based foreground) of each RoI's matched cell.</param>
    /// <param name="gtMasks">[N, M, M] 0/1 targets from <see cref="MaskTargets"/>.</param>
    public static Tensor Compute(Tensor maskLogits, Tensor gtClasses, Tensor gtMasks)
    {
        ArgumentNullException.ThrowIfNull(gtMasks);
        if (maskLogits.shape[0] == 0)
        {
            return maskLogits.sum().Times(0);
        }

        using var selected = SelectClass(maskLogits, gtClasses);
        if (!selected.shape.SequenceEqual(gtMasks.shape))
        {
            throw new ArgumentException($"targets [{string.Join(", ", gtMasks.shape)}] do not match the selected logits [{string.Join(", ", selected.shape)}]", nameof(gtMasks));
        }

        using var target = gtMasks.to(selected.dtype, selected.device);
        return functional.binary_cross_entropy_with_logits(selected, target, reduction: Reduction.Mean);
    }
}
