namespace CellSeg.Data.Samples;

/// <summary>Settings of <see cref="SampleDatasetGenerator"/>; defaults make a quickstart-sized set in about a second.</summary>
public sealed record SampleDatasetOptions
{
    /// <summary>The largest width or height (4,096: a LIVECell image is 704×520).</summary>
    public const int MaxSide = 4096;

    /// <summary>The most images per cell type (1,000; 8,000 images in all).</summary>
    public const int MaxImagesPerCellType = 1000;

    /// <summary>Images per cell type.</summary>
    public int ImagesPerCellType { get; init; } = 2;

    /// <summary>Image width in pixels (LIVECell's is 704).</summary>
    public int Width { get; init; } = 320;

    /// <summary>Image height in pixels (LIVECell's is 520).</summary>
    public int Height { get; init; } = 240;

    /// <summary>Seed of every random choice; the same seed gives byte-identical files.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// The letter of the well in the file names (<c>A172_Phase_S1_…</c>): sets made for different splits
    /// use different letters so their file names never collide when a pipeline handles both.
    /// </summary>
    public char Well { get; init; } = 'S';
}
