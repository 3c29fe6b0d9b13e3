namespace CellSeg.Data.Samples;

/// <summary>How the cells of one cell line are drawn in the procedural sample: size, elongation, boundary wobble and crowding.</summary>
/// <param name="CellType">LIVECell spelling of the cell line, used in the file names.</param>
/// <param name="MeanRadius">Mean radius in pixels.</param>
/// <param name="Elongation">Ratio of long to short axis.</param>
/// <param name="Wobble">Relative amplitude of the boundary's irregularity.</param>
/// <param name="CellsPerImage">Cells placed per image (fewer when they no longer fit).</param>
internal sealed record CellLook(string CellType, double MeanRadius, double Elongation, double Wobble, int CellsPerImage)
{
    /// <summary>
    /// Rough impressions of the eight LIVECell lines (small round BV2 in crowds, large flat A172/SKOV3,
    /// elongated SHSY5Y with irregular outlines); only meant to make per-cell-type tables non-trivial.
    /// </summary>
    public static IReadOnlyList<CellLook> All { get; } =
    [
        new("A172", 11, 1.8, 0.25, 18),
        new("BT474", 8, 1.2, 0.10, 35),
        new("BV2", 5, 1.1, 0.08, 60),
        new("Huh7", 9, 1.3, 0.12, 30),
        new("MCF7", 8, 1.3, 0.12, 35),
        new("SHSY5Y", 7, 2.4, 0.35, 25),
        new("SkBr3", 8, 1.2, 0.10, 30),
        new("SKOV3", 12, 1.6, 0.20, 15),
    ];
}
