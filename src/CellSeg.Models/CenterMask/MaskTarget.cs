namespace CellSeg.Models.CenterMask;

/// <summary>The training target of one foreground RoI: its cell rasterised in the RoI box, and how much of the cell the box holds.</summary>
/// <param name="Size">Side of the mask in pixels (28).</param>
/// <param name="Mask">Size × Size values 0 or 1, row-major (y then x), in box coordinates.</param>
/// <param name="AreaRatio">
/// Cell area inside the box / full cell area, in [0, 1], as centermask2 computes it for the MaskIoU target: the cell's
/// polygons, shifted to the box origin, rasterised on a (box height × box width) canvas (sizes truncated to integers,
/// parts' areas summed), over the polygons' shoelace area.
/// </param>
public sealed record MaskTarget(int Size, float[] Mask, double AreaRatio);
