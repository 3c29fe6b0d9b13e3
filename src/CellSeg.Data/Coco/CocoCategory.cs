namespace CellSeg.Data.Coco;

/// <summary>One entry of a COCO file's <c>categories</c> list (LIVECell has one: 1, "cell").</summary>
public sealed record CocoCategory(int Id, string Name, string? Supercategory);
