using CellSeg.Data.Masks;
using CellSeg.Metrics.Binary;

namespace CellSeg.Metrics.Coco;

/// <summary>
/// The paper's semantic evaluation of an instance model: per image, the union of the predicted cell
/// masks is compared with the union of the ground-truth cells (instance → semantic), giving F1/Dice.
/// </summary>
public static class SemanticFromInstances
{
    /// <summary>
    /// Per-image pixel counts of predicted vs ground-truth unions. Only detections scoring at least
    /// <paramref name="scoreThreshold"/> are painted, at most <paramref name="maxDetections"/> per image
    /// (highest scores first).
    /// </summary>
    public static IReadOnlyDictionary<long, BinaryCounts> Compare(EvalGroundTruth gt, EvalDetections dt, double scoreThreshold, int maxDetections, IEnumerable<long>? imageIds = null)
    {
        ArgumentNullException.ThrowIfNull(gt);
        ArgumentNullException.ThrowIfNull(dt);
        var indices = imageIds is null ? Enumerable.Range(0, gt.Images.Count).ToArray() : imageIds.Select(gt.IndexOf).Where(i => i >= 0).ToArray();
        var counts = new BinaryCounts[indices.Length];
        Parallel.For(0, indices.Length, n =>
        {
            var i = indices[n];
            var image = gt.Images[i];
            var truth = Union(gt.ObjectsByImage[i].Select(o => o.Mask!), image.Height, image.Width);
            var kept = dt.ObjectsByImage[i]
                .Where(d => d.Score >= scoreThreshold)
                .OrderByDescending(d => d.Score)
                .Take(maxDetections)
                .Select(d => d.Mask!);
            var predicted = Union(kept, image.Height, image.Width);
            counts[n] = BinaryCounts.Compare(predicted, truth);
        });
        var result = new Dictionary<long, BinaryCounts>(indices.Length);
        for (var n = 0; n < indices.Length; n++)
        {
            result[gt.Images[indices[n]].Id] = counts[n];
        }

        return result;
    }

    private static Rle Union(IEnumerable<Rle> masks, int height, int width) => Rle.UnionOf(masks.ToList(), height, width);
}
