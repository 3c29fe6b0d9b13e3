using CellSeg.Data.Masks;

namespace CellSeg.Data.Coco;

/// <summary>
/// One entry of a COCO results file: a detection with a score, as a mask (<c>segmentation</c>),
/// a box (<c>bbox</c>) or both.
/// </summary>
public sealed record CocoDetection(long ImageId, int CategoryId, double Score, Segmentation? Segmentation, BoundingBox? Bbox);
