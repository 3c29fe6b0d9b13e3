namespace CellSeg.Synthesis;

/// <summary>How a <see cref="CellBank"/> is cut from real annotated images. The defaults are in one place, here.</summary>
public sealed record CellBankOptions
{
    /// <summary>
    /// Keep cells whose mask touches the image border. Off by default: such a cell is only partly in the
    /// image, and pasted in the middle of a synthetic image it would show a straight cut edge no real
    /// cell has. Excluded cells still count for the real density and are kept out of the background.
    /// </summary>
    public bool IncludeBorderCells { get; init; }

    /// <summary>Cells with fewer mask pixels are left out (a few-pixel annotation is noise, not a cell).</summary>
    public int MinCellArea { get; init; } = 8;

    /// <summary>
    /// At most this many cells per type are kept (a deterministic uniform sample of all usable ones);
    /// null keeps all. A cell costs about 2 bytes per pixel of its box, so LIVECell's ~1 million training
    /// cells take about 1 GB; a cap bounds that.
    /// </summary>
    public int? MaxCellsPerType { get; init; }

    /// <summary>Pixels this far (Chebyshev distance) from any cell mask are not background: phase-contrast halos extend past the outline.</summary>
    public int BackgroundMargin { get; init; } = 3;

    /// <summary>At most this many source images per cell type are kept as backgrounds (those with the most free background), bounding the bank's memory.</summary>
    public int MaxBackgroundsPerType { get; init; } = 8;

    /// <summary>
    /// Each cell keeps the source pixels up to this far outside its mask (not on other cells) as its halo, which
    /// <see cref="SynthesisOptions.PasteHalo"/> blends onto the new background: a phase-contrast cell's bright rim
    /// lies just outside its annotation (measured on the LIVECell sample: +1 to +3 gray levels at 1 px, none in
    /// images pasted without it). 0: no halo.
    /// </summary>
    public int HaloWidth { get; init; } = 3;

    /// <summary>
    /// Fill the holes the cells leave in a background with pooled texture blocks cross-faded between two grids
    /// (no block edges), or (false) tile them block by block as before.
    /// </summary>
    public bool SeamlessFill { get; init; } = true;

    /// <summary>Radius of the box over which the background's slowly varying brightness is averaged.</summary>
    public int IlluminationRadius { get; init; } = 24;
}
