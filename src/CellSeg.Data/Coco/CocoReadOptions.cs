namespace CellSeg.Data.Coco;

/// <summary>How a COCO file is read.</summary>
public sealed record CocoReadOptions
{
    /// <summary>
    /// Skip bad records and list them in <see cref="CocoDataset.Issues"/> instead of stopping at the
    /// first one. A malformed file (broken JSON) still stops reading.
    /// </summary>
    public bool Lenient { get; init; }

    /// <summary>Receives bytes read so far and the file size, at most every few megabytes.</summary>
    public IProgress<ReadProgress>? Progress { get; init; }

    /// <summary>
    /// The longest image side accepted (default 2^15 = 32,768: LIVECell is 704×520, large microscopy tiles fit).
    /// Checked when the file is read, before any mask is made.
    /// </summary>
    public int MaxImageSide { get; init; } = DefaultMaxImageSide;

    /// <summary>The most pixels one image may have (default 2^28 ≈ 268 million, a 16,384² tile: a union mask of it is 256 MiB).</summary>
    public long MaxImagePixels { get; init; } = DefaultMaxImagePixels;

    /// <summary>
    /// The most annotations (ground truth) or detections (results) one image may have (default 20,000; LIVECell's
    /// densest images hold a few thousand cells). Evaluation compares every detection kept with every object of its
    /// image, so this bounds its time and memory per image.
    /// </summary>
    public int MaxObjectsPerImage { get; init; } = DefaultMaxObjectsPerImage;

    /// <summary>Default of <see cref="MaxObjectsPerImage"/>.</summary>
    public const int DefaultMaxObjectsPerImage = 20_000;

    /// <summary>Default of <see cref="MaxImageSide"/>.</summary>
    public const int DefaultMaxImageSide = 1 << 15;

    /// <summary>Default of <see cref="MaxImagePixels"/>.</summary>
    public const long DefaultMaxImagePixels = 1L << 28;

    /// <summary>Defaults: strict, no progress.</summary>
    public static CocoReadOptions Default { get; } = new();
}

/// <summary>How far a read has come.</summary>
public readonly record struct ReadProgress(long BytesRead, long TotalBytes, long Records);
