using CellSeg.Data.Masks;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// One detected cell in the original image's frame (before the model's resize): what a COCO results entry needs.
/// </summary>
/// <param name="X1">Left edge of the box, original image pixels.</param>
/// <param name="Y1">Top edge.</param>
/// <param name="X2">Right edge.</param>
/// <param name="Y2">Bottom edge.</param>
/// <param name="Class">0-based class (COCO category = the dataset's category at this index).</param>
/// <param name="Score">FCOS detection score sqrt(cls · ctr): the score for box AP.</param>
/// <param name="MaskScore">Score × predicted mask IoU (MaskIoU head): the score for mask AP, as centermask2 reports.</param>
/// <param name="Mask">The mask pasted at the original size (threshold 0.5).</param>
public sealed record InstancePrediction(float X1, float Y1, float X2, float Y2, int Class, float Score, float MaskScore, Rle Mask);
