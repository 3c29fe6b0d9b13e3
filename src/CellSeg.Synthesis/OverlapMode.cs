namespace CellSeg.Synthesis;

/// <summary>How pasted cells may overlap.</summary>
public enum OverlapMode
{
    /// <summary>No pixel of a cell may cover another cell: positions that would are drawn again (up to <see cref="SynthesisOptions.MaxAttempts"/>), then the cell is counted as not placed.</summary>
    None,

    /// <summary>A new cell may cover other cells on at most <see cref="SynthesisOptions.MaxOverlapFraction"/> of its own pixels.</summary>
    Bounded,

    /// <summary>Positions are drawn around a few cluster centres and overlaps are free (hard examples, the paper's Figure 4d); only the visibility rule applies.</summary>
    Clustered,
}

/// <summary>How each cell's segmentation is written to the COCO file.</summary>
public enum SegmentationFormat
{
    /// <summary>Compressed RLE of the exact visible pixels (the default: lossless).</summary>
    Rle,

    /// <summary>
    /// Polygons along the pixel edges of each visible piece (one per 8-connected piece). Lossy: holes an
    /// occluding cell leaves inside a cell are filled when the polygons are rasterised. <c>area</c> and
    /// <c>bbox</c> are still those of the exact visible pixels.
    /// </summary>
    Polygons,
}

/// <summary>Names of <see cref="OverlapMode"/> as workflows and the command line write them.</summary>
public static class OverlapModes
{
    /// <summary>Parses <c>none</c>, <c>bounded</c> or <c>clustered</c> (any case).</summary>
    /// <exception cref="ArgumentException">Any other word; the message lists the valid ones.</exception>
    public static OverlapMode Parse(string text) =>
        text?.Trim().ToLowerInvariant() switch
        {
            "none" => OverlapMode.None,
            "bounded" => OverlapMode.Bounded,
            "clustered" => OverlapMode.Clustered,
            _ => throw new ArgumentException($"overlap mode '{text}' is not one of none, bounded, clustered", nameof(text)),
        };
}
