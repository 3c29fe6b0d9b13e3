namespace CellSeg.Synthesis;

/// <summary>
/// A cell-free background made from one real image: its own pixels where no cell is, and in the
/// holes left by the cells its local brightness plus real background texture taken from the images
/// of the same cell type.
/// </summary>
/// <param name="CellType">The cell line of the source image.</param>
/// <param name="SourceImageId">The image it was made from.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Pixels">8-bit gray values, row-major.</param>
/// <param name="FreeFraction">Share of the source image that was real background (the rest was filled).</param>
public sealed record SyntheticBackground(string CellType, long SourceImageId, int Width, int Height, byte[] Pixels, double FreeFraction);
