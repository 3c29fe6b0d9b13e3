using System.IO.Compression;

namespace CellSeg.Synthesis;

/// <summary>Every parameter of synthetic generation, with its default, in one place.</summary>
public sealed record SynthesisOptions
{
    /// <summary>Seed of every random choice; each image gets its own seed derived from this one, the density and the image's index.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Images per cell type and density.</summary>
    public int ImagesPerCellType { get; init; } = 10;

    /// <summary>Only these cell types (null: every type of the bank).</summary>
    public IReadOnlyList<string>? CellTypes { get; init; }

    /// <summary>Width of the generated images; null takes the width of the cell type's backgrounds (704 for LIVECell).</summary>
    public int? Width { get; init; }

    /// <summary>Height of the generated images; null takes the height of the cell type's backgrounds (520 for LIVECell).</summary>
    public int? Height { get; init; }

    /// <summary>How cells may overlap.</summary>
    public OverlapMode Overlap { get; init; } = OverlapMode.Bounded;

    /// <summary><see cref="OverlapMode.Bounded"/>: the largest share of a new cell's pixels that may cover other cells.</summary>
    public double MaxOverlapFraction { get; init; } = 0.2;

    /// <summary>
    /// A cell stays in the image only while at least this share of its pixels is visible (not covered by
    /// later cells, not outside the image). A placement that would push any cell below it is refused
    /// before anything is drawn, so every pasted cell is annotated.
    /// </summary>
    public double MinVisibleFraction { get; init; } = 0.3;

    /// <summary>…and at least this many pixels (or its whole area, if smaller).</summary>
    public int MinVisiblePixels { get; init; } = 10;

    /// <summary>Positions tried per cell before it is counted as not placed.</summary>
    public int MaxAttempts { get; init; } = 20;

    /// <summary>
    /// After this many cells in a row found no position, the image is taken as full and the cells still
    /// asked for are counted as not placed (a LIVECell image holds ~300–1,300 cells of the larger lines,
    /// so 1,000 asked of them saturates it; trying on only burns time).
    /// </summary>
    public int FullAfterFailures { get; init; } = 25;

    /// <summary><see cref="OverlapMode.Clustered"/>: cluster centres per image; 0 takes one per 40 cells (at least 1).</summary>
    public int ClusterCount { get; init; }

    /// <summary><see cref="OverlapMode.Clustered"/>: standard deviation of positions around a centre, in pixels; 0 takes 6% of the smaller image side.</summary>
    public double ClusterSpread { get; init; }

    /// <summary>Rotate cells by any of 4,096 angles (steps of 0.088°), or (false) by multiples of 90° only. Angle and flip are drawn once per cell; its attempts only move it.</summary>
    public bool ArbitraryRotation { get; init; } = true;

    /// <summary>
    /// Blend each pasted cell's halo (the source pixels just outside its mask, <see cref="CellBank"/>'s
    /// <see cref="CellBankOptions.HaloWidth"/>) onto the background, as its difference from the source's local
    /// background level: the cell keeps its phase-contrast rim and soft edge instead of a hard cut-out boundary a
    /// network can key on. Only background pixels change; annotations stay the cells' visible pixels. False: hard cut.
    /// </summary>
    public bool PasteHalo { get; init; } = true;

    /// <summary>
    /// Each image asks for as many cells as a real image of its cell type holds (a source image's count drawn at
    /// random, ×0.8–1.2; see <see cref="DensityPlan.ImageTarget"/>) instead of the density level, which then only
    /// names the set and seeds its images. Off by default, so a level means what it says (the paper's per-density sets);
    /// on, a set follows each cell type's real density (on the LIVECell sample, levels 100 and 300 gave MCF7 200 cells
    /// and 15 % coverage where its real images hold 603 and 46 %).
    /// </summary>
    public bool RealDensity { get; init; }

    /// <summary>How segmentations are written.</summary>
    public SegmentationFormat Segmentation { get; init; } = SegmentationFormat.Rle;

    /// <summary>
    /// Deflate level of the TIFF files. The default, NoCompression (stored Deflate blocks), is the fastest:
    /// Fastest costs about 2 ms more per 704×520 image and saves about 30 % on sparse images (20 cells)
    /// but under 10 % on dense ones, where pasted cells leave little to compress.
    /// </summary>
    public CompressionLevel TiffCompression { get; init; } = CompressionLevel.NoCompression;

    /// <summary>Images made at once; null uses every core.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Checks the values; the message names the option.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        Check(ImagesPerCellType >= 0, nameof(ImagesPerCellType), "must be 0 or more");
        Check(Width is null or > 0, nameof(Width), "must be positive");
        Check(Height is null or > 0, nameof(Height), "must be positive");
        Check(MaxOverlapFraction is >= 0 and <= 1, nameof(MaxOverlapFraction), "must be in [0, 1]");
        Check(MinVisibleFraction is > 0 and <= 1, nameof(MinVisibleFraction), "must be in (0, 1]");
        Check(MinVisiblePixels >= 1, nameof(MinVisiblePixels), "must be at least 1");
        Check(MaxAttempts >= 1, nameof(MaxAttempts), "must be at least 1");
        Check(FullAfterFailures >= 1, nameof(FullAfterFailures), "must be at least 1");
        Check(ClusterCount >= 0, nameof(ClusterCount), "must be 0 (automatic) or more");
        Check(ClusterSpread >= 0, nameof(ClusterSpread), "must be 0 (automatic) or more");
        Check(MaxDegreeOfParallelism is null or > 0, nameof(MaxDegreeOfParallelism), "must be positive");
    }

    private static void Check(bool ok, string name, string reason)
    {
        if (!ok)
        {
            throw new ArgumentException($"synthesis option {name} {reason}", name);
        }
    }
}
