using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Livecell;
using CellSeg.Metrics.Binary;

namespace CellSeg.Models.Inference;

/// <summary>An image to segment.</summary>
/// <param name="ImageId">The id its detections get (the COCO image id when there is a ground truth).</param>
/// <param name="Path">TIFF or PNG file.</param>
/// <param name="CellType">Routes an ensemble; null: taken from a LIVECell file name, else the members' mean.</param>
public sealed record ImageToSegment(long ImageId, string Path, string? CellType = null);

/// <summary>What <see cref="SegmentationRun.RunAsync"/> wrote.</summary>
/// <param name="PredictionsPath">COCO results file (RLE masks, scores).</param>
/// <param name="OverlayPath">Overlay PNG of the first images, or null.</param>
/// <param name="Images">Images segmented.</param>
/// <param name="Instances">Detections written.</param>
public sealed record SegmentationRunResult(string PredictionsPath, string? OverlayPath, int Images, int Instances);

/// <summary>Segments a list of image files into one COCO results file and an optional overlay sheet.</summary>
public static class SegmentationRun
{
    /// <summary>Segments every image, writes <paramref name="predictionsPath"/> (atomically) and, when asked, an overlay PNG.</summary>
    /// <param name="segmenter">The model and its thresholds.</param>
    /// <param name="images">The images, in output order.</param>
    /// <param name="predictionsPath">Results file to write.</param>
    /// <param name="overlayPath">Overlay sheet (predictions outlined in magenta, <paramref name="groundTruth"/> in green); null: none.</param>
    /// <param name="overlayPanels">How many of the first images the sheet shows.</param>
    /// <param name="groundTruth">Ground truth for the overlay's green outlines, by image id; optional.</param>
    /// <param name="progress">Images done.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    public static async Task<SegmentationRunResult> RunAsync(UNetSegmenter segmenter, IReadOnlyList<ImageToSegment> images, string predictionsPath,
        string? overlayPath = null, int overlayPanels = 4, CocoDataset? groundTruth = null, IProgress<EvaluationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segmenter);
        ArgumentNullException.ThrowIfNull(images);
        var detections = new List<CocoDetection>();
        var panels = new List<OverlayPanel>();
        var done = 0;
        foreach (var item in images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var image = await GrayImageIO.ReadAsync(item.Path, cancellationToken).ConfigureAwait(false);
            var cellType = item.CellType ?? (CellTypes.TryFromFileName(Path.GetFileName(item.Path), out var t) ? t : null);
            var segmented = segmenter.Segment(image, item.ImageId, cellType);
            detections.AddRange(segmented.Instances);
            if (overlayPath is not null && panels.Count < overlayPanels)
            {
                var truth = groundTruth?.AnnotationsOf(item.ImageId).Select(a => a.Segmentation.ToRle(image.Height, image.Width)).ToList() ?? [];
                var predicted = segmented.Instances.Select(d => ((RleSegmentation)d.Segmentation!).Rle).ToList();
                panels.Add(new OverlayPanel(image, truth, predicted));
            }

            done++;
            progress?.Report(new EvaluationProgress(done, images.Count, Path.GetFileName(item.Path)));
        }

        await CocoWriter.WriteDetectionsAsync(detections, predictionsPath, cancellationToken).ConfigureAwait(false);
        if (overlayPath is not null && panels.Count > 0)
        {
            await OverlaySheet.WritePngAsync(panels, overlayPath, cancellationToken).ConfigureAwait(false);
        }

        return new SegmentationRunResult(predictionsPath, overlayPath is not null && panels.Count > 0 ? overlayPath : null, done, detections.Count);
    }
}
