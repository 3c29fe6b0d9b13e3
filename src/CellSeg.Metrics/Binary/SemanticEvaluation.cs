using CellSeg.Data.Masks;

namespace CellSeg.Metrics.Binary;

/// <summary>Dice/F1 of one image.</summary>
/// <param name="ImageId">COCO image id.</param>
/// <param name="FileName">COCO file name.</param>
/// <param name="CellType">Cell type or null.</param>
/// <param name="Counts">Pixel counts against the ground-truth semantic mask.</param>
public sealed record ImageScore(long ImageId, string FileName, string? CellType, BinaryCounts Counts);

/// <summary>Semantic scores of a split: pooled over all images and per cell type (the paper's F1 table).</summary>
/// <param name="Overall">All images.</param>
/// <param name="PerCellType">Per cell type, in name order.</param>
/// <param name="Images">Per image.</param>
public sealed record SemanticEvaluation(SemanticScores Overall, IReadOnlyDictionary<string, SemanticScores> PerCellType, IReadOnlyList<ImageScore> Images)
{
    /// <summary>Pools per-image counts overall and per cell type (images without a cell type count only overall).</summary>
    public static SemanticEvaluation Pool(IReadOnlyList<ImageScore> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var perType = images.Where(i => i.CellType is not null)
            .GroupBy(i => i.CellType!)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => SemanticScores.From(g.Select(i => i.Counts).ToList()));
        return new SemanticEvaluation(SemanticScores.From(images.Select(i => i.Counts).ToList()), perType, images);
    }
}

/// <summary>Progress of an evaluation: images done so far.</summary>
/// <param name="Done">Images done.</param>
/// <param name="Total">Images in all.</param>
/// <param name="FileName">The image just done.</param>
public sealed record EvaluationProgress(int Done, int Total, string FileName);

/// <summary>The ground truth of one image for semantic scoring.</summary>
/// <param name="ImageId">COCO image id.</param>
/// <param name="FileName">COCO file name.</param>
/// <param name="CellType">Cell type or null.</param>
/// <param name="Mask">The cell pixels (the union of the image's annotations).</param>
public sealed record SemanticGroundTruth(long ImageId, string FileName, string? CellType, BinaryMask Mask);
