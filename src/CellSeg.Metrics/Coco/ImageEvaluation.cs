namespace CellSeg.Metrics.Coco;

/// <summary>
/// The matches of one image (and category, and area range) at every IoU threshold, as pycocotools'
/// <c>evaluateImg</c> returns them: detections in score order with the id of the matched ground
/// truth (0 = none) and whether each is ignored.
/// </summary>
internal sealed class ImageEvaluation
{
    public required double[] DtScores { get; init; }

    /// <summary>[threshold][detection]: id of the matched ground truth, 0 when unmatched.</summary>
    public required long[][] DtMatches { get; init; }

    /// <summary>[threshold][detection]: ignored (matched to an ignored GT, or unmatched and outside the area range).</summary>
    public required bool[][] DtIgnore { get; init; }

    /// <summary>Ground truths not ignored in this area range.</summary>
    public required int NonIgnoredGt { get; init; }
}
