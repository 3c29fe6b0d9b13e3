using CellSeg.Models.Torch;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Inference glue of the mask branch (centermask2's <c>mask_rcnn_inference</c> and <c>mask_iou_inference</c>).
/// </summary>
public static class MaskInference
{
    /// <summary>Sigmoid probabilities of each detection's predicted class: [N, K, M, M], classes [N] → [N, 1, M, M].</summary>
    public static Tensor PredictedClassProbabilities(Tensor maskLogits, Tensor predictedClasses)
    {
        using var selected = MaskHeadLoss.SelectClass(maskLogits, predictedClasses);
        using var probabilities = selected.sigmoid();
        return probabilities.unsqueeze(1);
    }

    /// <summary>
    /// <c>mask_score = score × maskiou[class]</c>: the score that ranks masks for segm AP (centermask2's evaluator
    /// replaces the box score with it).
    /// </summary>
    /// <param name="scores">[N] detection scores.</param>
    /// <param name="predictedIou">[N, K] from <see cref="MaskIouHead"/>.</param>
    /// <param name="predictedClasses">[N] predicted class of each detection.</param>
    public static Tensor MaskScores(Tensor scores, Tensor predictedIou, Tensor predictedClasses)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(predictedIou);
        ArgumentNullException.ThrowIfNull(predictedClasses);
        using var rows = HeldArithmetic.Range(predictedIou.shape[0], ScalarType.Int64, predictedIou.device);
        using var cls = predictedClasses.to(ScalarType.Int64, predictedIou.device);
        using var iou = predictedIou.index([rows, cls]);
        return scores * iou;
    }
}
