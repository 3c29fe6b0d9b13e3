using CellSeg.Data.Masks;

namespace CellSeg.Data.Coco;

/// <summary>One ground-truth object of a COCO file's <c>annotations</c> list.</summary>
/// <param name="Id">Annotation id, unique in the file.</param>
/// <param name="ImageId">The image it belongs to.</param>
/// <param name="CategoryId">Its category (1 = cell in LIVECell).</param>
/// <param name="Segmentation">Polygons or RLE.</param>
/// <param name="Area">The <c>area</c> field. COCO evaluation uses this number, not the mask area, for the small/medium/large ranges.</param>
/// <param name="Bbox">The <c>bbox</c> field [x, y, w, h].</param>
/// <param name="IsCrowd">The <c>iscrowd</c> flag: a crowd region is ignored by evaluation and matched by any detection inside it.</param>
public sealed record CocoAnnotation(long Id, long ImageId, int CategoryId, Segmentation Segmentation, double Area, BoundingBox Bbox, bool IsCrowd);
