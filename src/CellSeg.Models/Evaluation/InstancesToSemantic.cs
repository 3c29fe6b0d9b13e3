using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using CellSeg.Metrics.Binary;

namespace CellSeg.Models.Evaluation;

/// <summary>One semantic mask written by <see cref="InstancesToSemantic.ConvertAsync"/>.</summary>
/// <param name="ImageId">COCO image id.</param>
/// <param name="ImageFileName">The image's COCO file name.</param>
/// <param name="MaskPath">The PNG written.</param>
/// <param name="Instances">Detections painted (score at or above the threshold).</param>
/// <param name="ForegroundPixels">Cell pixels of the union.</param>
public sealed record SemanticMaskFile(long ImageId, string ImageFileName, string MaskPath, int Instances, long ForegroundPixels);

/// <summary>
/// The paper's conversion of an instance model's output for semantic evaluation: per image, the union of the
/// predicted instance masks (COCO results, compressed RLE or polygons) with a score at or above a threshold
/// becomes one binary mask. The paper does not state its threshold; 0.5 is detectron2's demo/visualiser default
/// and the same as <c>EvaluateInstances</c>' union-mask F1, so the two F1 figures agree.
/// </summary>
public static class InstancesToSemantic
{
    /// <summary>Default score a detection needs to be painted.</summary>
    public const double DefaultScoreThreshold = 0.5;

    /// <summary>The union of <paramref name="instances"/> (already filtered) as a 0/1 mask of the image's size.</summary>
    public static BinaryMask Union(IReadOnlyCollection<Rle> instances, int height, int width) =>
        MaskConversion.ToSemantic(instances, height, width);

    /// <summary>
    /// Reads the results file, paints every ground-truth image's detections at or above
    /// <paramref name="scoreThreshold"/> and writes one PNG per image (0 background, 255 cell) into
    /// <paramref name="outputFolder"/>, each atomically. Images without detections get an empty mask.
    /// </summary>
    /// <exception cref="DataFormatException">The results file is unreadable, a detection refers to an image not in
    /// the ground truth, has no mask, or a mask of another size than its image (the record is named).</exception>
    public static async Task<IReadOnlyList<SemanticMaskFile>> ConvertAsync(string resultsPath, CocoDataset groundTruth, string outputFolder,
        double scoreThreshold = DefaultScoreThreshold, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputFolder);
        var detections = await CocoReader.LoadDetectionsAsync(resultsPath, groundTruth, cancellationToken: cancellationToken).ConfigureAwait(false);
        var byImage = Select(resultsPath, detections.Detections, groundTruth, scoreThreshold);
        Directory.CreateDirectory(outputFolder);
        var written = new List<SemanticMaskFile>(groundTruth.Images.Count);
        foreach (var image in groundTruth.Images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var instances = byImage.GetValueOrDefault(image.Id) ?? [];
            var mask = Union(instances, image.Height, image.Width);
            var pixels = new byte[mask.Data.Length];
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = mask.Data[i] == 0 ? (byte)0 : (byte)255;
            }

            var path = Path.Combine(outputFolder, MaskFolderEvaluator.MaskFileName(image.FileName));
            await GrayImageIO.WritePngAsync(new GrayImage(image.Width, image.Height, pixels), path, cancellationToken).ConfigureAwait(false);
            written.Add(new SemanticMaskFile(image.Id, image.FileName, path, instances.Count, mask.CountForeground()));
        }

        return written;
    }

    /// <summary>The masks to paint per image id, checked against the images' sizes.</summary>
    private static Dictionary<long, List<Rle>> Select(string resultsPath, IReadOnlyList<CocoDetection> detections, CocoDataset groundTruth, double scoreThreshold)
    {
        var byImage = new Dictionary<long, List<Rle>>();
        for (var i = 0; i < detections.Count; i++)
        {
            var d = detections[i];
            var record = $"result {i}";   // the reader's name for a record of a results file
            var image = groundTruth.FindImage(d.ImageId) ?? throw new DataFormatException(resultsPath, record, "refers to an image not in the ground truth");
            if (d.Segmentation is null)
            {
                throw new DataFormatException(resultsPath, record, "has no 'segmentation' mask (a box-only results file cannot be made semantic)");
            }

            if (d.Score < scoreThreshold)
            {
                continue;
            }

            var rle = d.Segmentation.ToRle(image.Height, image.Width);
            if (rle.Height != image.Height || rle.Width != image.Width)
            {
                throw new DataFormatException(resultsPath, record, $"mask is {rle.Height}x{rle.Width} (height x width) but the image is {image.Height}x{image.Width}");
            }

            if (!byImage.TryGetValue(d.ImageId, out var list))
            {
                byImage[d.ImageId] = list = [];
            }

            list.Add(rle);
        }

        return byImage;
    }
}
