using CellSeg.Metrics.Binary;
using CellSeg.Models.Data;
using CellSeg.Models.Inference;

namespace CellSeg.Models.Evaluation;

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
public sealed record SemanticEvaluation(SemanticScores Overall, IReadOnlyDictionary<string, SemanticScores> PerCellType, IReadOnlyList<ImageScore> Images);

/// <summary>Progress of an evaluation: images done so far.</summary>
public sealed record EvaluationProgress(int Done, int Total, string FileName);

/// <summary>Segments every image of a split and scores the masks against the ground truth (Dice = F1).</summary>
public static class SemanticEvaluator
{
    /// <summary>Evaluates <paramref name="segmenter"/> on <paramref name="dataset"/>; an ensemble routes each image by its cell type.</summary>
    public static Task<SemanticEvaluation> EvaluateAsync(UNetSegmenter segmenter, SegmentationDataset dataset,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segmenter);
        ArgumentNullException.ThrowIfNull(dataset);

        // Torch work is synchronous; run it off the caller's thread.
        return Task.Factory.StartNew(() => Evaluate(segmenter, dataset, progress, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The same, synchronously on the calling thread.</summary>
    public static SemanticEvaluation Evaluate(UNetSegmenter segmenter, SegmentationDataset dataset,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var images = new List<ImageScore>(dataset.Count);
        foreach (var sample in dataset.Samples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var predicted = segmenter.PredictMask(sample.Image, sample.CellType);
            images.Add(new ImageScore(sample.ImageId, sample.FileName, sample.CellType, BinaryCounts.Compare(predicted, sample.Mask)));
            progress?.Report(new EvaluationProgress(images.Count, dataset.Count, sample.FileName));
        }

        return Summarize(images);
    }

    /// <summary>Pools per-image counts overall and per cell type.</summary>
    public static SemanticEvaluation Summarize(IReadOnlyList<ImageScore> images)
    {
        var perType = images.Where(i => i.CellType is not null)
            .GroupBy(i => i.CellType!)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => SemanticScores.From(g.Select(i => i.Counts).ToList()));
        return new SemanticEvaluation(SemanticScores.From(images.Select(i => i.Counts).ToList()), perType, images);
    }
}
