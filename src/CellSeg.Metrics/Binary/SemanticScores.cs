namespace CellSeg.Metrics.Binary;

/// <summary>
/// Semantic (cell vs background) scores over a dataset, two ways: pooled — the pixel counts of all
/// images added up, then one Dice/F1 — and the mean of the per-image scores. CellSegFlows reports the
/// pooled F1 as "F1" (every pixel weighs the same, so sparse images do not dominate); the per-image mean
/// is given beside it as <see cref="MeanImageF1"/>.
/// </summary>
public sealed record SemanticScores(BinaryCounts Pooled, double MeanImageF1, int ImageCount)
{
    /// <summary>Pooled F1 (= Dice).</summary>
    public double F1 => Pooled.F1;

    /// <summary>Pooled precision.</summary>
    public double Precision => Pooled.Precision;

    /// <summary>Pooled recall.</summary>
    public double Recall => Pooled.Recall;

    /// <summary>Pooled IoU.</summary>
    public double Iou => Pooled.Iou;

    /// <summary>Scores from per-image counts.</summary>
    public static SemanticScores From(IReadOnlyCollection<BinaryCounts> perImage)
    {
        ArgumentNullException.ThrowIfNull(perImage);
        var pooled = default(BinaryCounts);
        var sum = 0.0;
        foreach (var c in perImage)
        {
            pooled += c;
            sum += c.F1;
        }

        return new SemanticScores(pooled, perImage.Count == 0 ? double.NaN : sum / perImage.Count, perImage.Count);
    }
}
