using CellSeg.Metrics.Binary;
using CellSeg.Models.Data;
using CellSeg.Models.Inference;

namespace CellSeg.Models.Evaluation;

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

        return SemanticEvaluation.Pool(images);
    }
}
