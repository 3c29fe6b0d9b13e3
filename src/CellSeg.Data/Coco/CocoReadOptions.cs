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

    /// <summary>Defaults: strict, no progress.</summary>
    public static CocoReadOptions Default { get; } = new();
}

/// <summary>How far a read has come.</summary>
public readonly record struct ReadProgress(long BytesRead, long TotalBytes, long Records);
