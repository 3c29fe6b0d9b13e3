using CellSeg.Data.Masks;

namespace CellSeg.Metrics.Binary;

/// <summary>
/// Pixel counts of a predicted binary mask against a target mask, and the scores derived from them.
/// Add counts of several images to get the pooled (dataset-level) scores.
/// </summary>
/// <remarks>
/// Dice and F1 are the same number for binary masks (2·TP / (2·TP + FP + FN)); the paper reports it
/// as "F1". When both masks are empty every score is 1 (nothing to find, nothing wrongly found), as
/// milesial's Dice does; when only the prediction is empty, precision is 0.
/// </remarks>
public readonly record struct BinaryCounts(long TruePositive, long FalsePositive, long FalseNegative, long TrueNegative)
{
    /// <summary>TP / (TP + FP).</summary>
    public double Precision => TruePositive + FalsePositive == 0 ? (FalseNegative == 0 ? 1 : 0) : (double)TruePositive / (TruePositive + FalsePositive);

    /// <summary>TP / (TP + FN).</summary>
    public double Recall => TruePositive + FalseNegative == 0 ? (FalsePositive == 0 ? 1 : 0) : (double)TruePositive / (TruePositive + FalseNegative);

    /// <summary>2·TP / (2·TP + FP + FN): Dice coefficient, equal to F1.</summary>
    public double Dice => 2 * TruePositive + FalsePositive + FalseNegative == 0 ? 1 : 2.0 * TruePositive / (2 * TruePositive + FalsePositive + FalseNegative);

    /// <summary>Same as <see cref="Dice"/>.</summary>
    public double F1 => Dice;

    /// <summary>TP / (TP + FP + FN), the Jaccard index.</summary>
    public double Iou => TruePositive + FalsePositive + FalseNegative == 0 ? 1 : (double)TruePositive / (TruePositive + FalsePositive + FalseNegative);

    /// <summary>Pixel accuracy.</summary>
    public double Accuracy => Total == 0 ? 1 : (double)(TruePositive + TrueNegative) / Total;

    /// <summary>Number of pixels.</summary>
    public long Total => TruePositive + FalsePositive + FalseNegative + TrueNegative;

    /// <summary>Counts of two images together (for pooled scores).</summary>
    public static BinaryCounts operator +(BinaryCounts a, BinaryCounts b) => new(
        a.TruePositive + b.TruePositive,
        a.FalsePositive + b.FalsePositive,
        a.FalseNegative + b.FalseNegative,
        a.TrueNegative + b.TrueNegative);

    /// <summary>Compares two row-major masks pixel by pixel (non-zero = foreground).</summary>
    public static BinaryCounts Compare(BinaryMask predicted, BinaryMask target)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        if (predicted.Height != target.Height || predicted.Width != target.Width)
        {
            throw new ArgumentException($"prediction is {predicted.Width}x{predicted.Height}, target is {target.Width}x{target.Height}");
        }

        long tp = 0, fp = 0, fn = 0;
        var p = predicted.Data;
        var t = target.Data;
        for (var i = 0; i < p.Length; i++)
        {
            var pi = p[i] != 0;
            var ti = t[i] != 0;
            if (pi && ti)
            {
                tp++;
            }
            else if (pi)
            {
                fp++;
            }
            else if (ti)
            {
                fn++;
            }
        }

        return new BinaryCounts(tp, fp, fn, p.Length - tp - fp - fn);
    }

    /// <summary>Compares two masks in RLE form without decoding them.</summary>
    public static BinaryCounts Compare(Rle predicted, Rle target)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        var intersection = Rle.IntersectionArea(predicted, target);
        var fp = predicted.Area - intersection;
        var fn = target.Area - intersection;
        var total = (long)predicted.Height * predicted.Width;
        return new BinaryCounts(intersection, fp, fn, total - intersection - fp - fn);
    }
}
