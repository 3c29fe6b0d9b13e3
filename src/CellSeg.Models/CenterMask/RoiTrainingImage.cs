namespace CellSeg.Models.CenterMask;

/// <summary>What the RoI heads need of one training image: its size, the detector's proposals and the cells.</summary>
/// <param name="Height">Image height in pixels (unpadded; it sets the RoI level).</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Proposals">[P × 4] proposal boxes (x1, y1, x2, y2) from the detector, image pixels.</param>
/// <param name="GtBoxes">[G × 4] cell boxes (x1, y1, x2, y2).</param>
/// <param name="GtClasses">[G] cell classes (0-based).</param>
/// <param name="GtPolygons">[G] each cell's polygons [x1, y1, x2, y2, …], image pixels.</param>
public sealed record RoiTrainingImage(
    int Height,
    int Width,
    float[] Proposals,
    float[] GtBoxes,
    int[] GtClasses,
    IReadOnlyList<IReadOnlyList<double[]>> GtPolygons);
