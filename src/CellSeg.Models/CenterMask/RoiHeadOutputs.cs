using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>The two mask-branch losses of a training step (centermask2's <c>loss_mask</c> and <c>loss_maskiou</c>).</summary>
/// <param name="Mask">Mean BCE of the foreground RoIs' GT-class masks.</param>
/// <param name="MaskIou">Weighted MaskIoU regression loss.</param>
/// <param name="ForegroundRois">How many RoIs the mask head trained on.</param>
public sealed record RoiHeadLosses(Tensor Mask, Tensor MaskIou, int ForegroundRois);

/// <summary>The mask branch's answer for one image's detections.</summary>
/// <param name="Probabilities">[N, 1, 28, 28] mask probabilities of each detection's class, box-aligned.</param>
/// <param name="MaskScores">[N] score × predicted mask IoU, the score for segm AP.</param>
public sealed record RoiMaskPrediction(Tensor Probabilities, Tensor MaskScores);
