using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using CellSeg.Metrics.Binary;

namespace CellSeg.Metrics.Coco;

/// <summary>One semantic mask written by <see cref="InstancesToSemantic.ConvertAsync"/>.</summary>
/// <param name="ImageId">COCO image id.</param>
/// <param name="ImageFileName">The image's COCO file name.</param>
/// <param name="MaskPath">The PNG written.</param>
/// <param name="Instances">Detections painted (kept by <see cref="InstancesToSemantic.Keep{T}"/>).</param>
/// <param name="ForegroundPixels">Cell pixels of the union.</param>
public sealed record SemanticMaskFile(long ImageId, string ImageFileName, string MaskPath, int Instances, long ForegroundPixels);

/// <summary>
/// The paper's conversion of an instance model's output for semantic evaluation: per image, the union of the
/// predicted instance masks becomes one binary mask, compared with the union of the ground-truth cells for F1.
/// One rule decides which detections are painted, for the masks written to disk (<see cref="ConvertAsync"/>,
/// the <c>InstancesToSemantic</c> activity) and for the F1 beside COCO AP (<see cref="Compare"/>, the
/// <c>EvaluateInstances</c> report), so the two F1 figures of one results file agree: a score at or above the
/// threshold, and at most <c>maxDetections</c> per image, highest scores first (as COCO's own maxDets cut).
/// The paper does not state its threshold; 0.5 is detectron2's demo/visualiser default.
/// </summary>
public static class InstancesToSemantic
{
    /// <summary>Default score a detection needs to be painted.</summary>
    public const double DefaultScoreThreshold = 0.5;

    /// <summary>Default cap per image: LIVECell's largest maxDets (2000), the cut its COCO evaluation applies.</summary>
    public const int DefaultMaxDetections = 2000;

    /// <summary>
    /// The detections to paint, in the order painted: those scoring at least <paramref name="scoreThreshold"/>,
    /// highest first (ties in their given order), at most <paramref name="maxDetections"/>.
    /// </summary>
    public static IEnumerable<T> Keep<T>(IEnumerable<T> detections, Func<T, double> score, double scoreThreshold, int maxDetections)
    {
        ArgumentNullException.ThrowIfNull(detections);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDetections);
        return detections.Where(d => score(d) >= scoreThreshold).OrderByDescending(score).Take(maxDetections);
    }

    /// <summary>The union of <paramref name="instances"/> (already kept) as a 0/1 mask of the image's size.</summary>
    public static BinaryMask Union(IReadOnlyCollection<Rle> instances, int height, int width) =>
        MaskConversion.ToSemantic(instances, height, width);

    /// <summary>
    /// Per-image pixel counts of the predicted union (detections kept by <see cref="Keep{T}"/>) against the
    /// ground-truth union, for the images of <paramref name="imageIds"/> (all of the ground truth when null).
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
            var truth = Rle.UnionOf(gt.ObjectsByImage[i].Select(o => o.Mask!).ToList(), image.Height, image.Width);
            var kept = Keep(dt.ObjectsByImage[i], d => d.Score, scoreThreshold, maxDetections).Select(d => d.Mask!).ToList();
            counts[n] = BinaryCounts.Compare(Rle.UnionOf(kept, image.Height, image.Width), truth);
        });
        var result = new Dictionary<long, BinaryCounts>(indices.Length);
        for (var n = 0; n < indices.Length; n++)
        {
            result[gt.Images[indices[n]].Id] = counts[n];
        }

        return result;
    }

    /// <summary>
    /// Reads the results file, paints every ground-truth image's kept detections and writes one PNG per image
    /// (0 background, 255 cell) into <paramref name="outputFolder"/>, each atomically. Images without detections
    /// get an empty mask.
    /// </summary>
    /// <exception cref="DataFormatException">The results file is unreadable, a detection refers to an image not in
    /// the ground truth, has no mask, or a mask of another size than its image (the record is named).</exception>
    public static async Task<IReadOnlyList<SemanticMaskFile>> ConvertAsync(string resultsPath, CocoDataset groundTruth, string outputFolder,
        double scoreThreshold = DefaultScoreThreshold, int maxDetections = DefaultMaxDetections, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputFolder);
        var detections = await CocoReader.LoadDetectionsAsync(resultsPath, groundTruth, cancellationToken: cancellationToken).ConfigureAwait(false);
        var byImage = Select(resultsPath, detections.Detections, groundTruth);
        Directory.CreateDirectory(outputFolder);
        var written = new List<SemanticMaskFile>(groundTruth.Images.Count);
        foreach (var image in groundTruth.Images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var instances = Keep(byImage.GetValueOrDefault(image.Id) ?? [], d => d.Score, scoreThreshold, maxDetections).Select(d => d.Mask).ToList();
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

    /// <summary>Every detection's mask with its score, per image id, checked against the images' sizes (all records, so a bad one is named even below the threshold).</summary>
    private static Dictionary<long, List<(double Score, Rle Mask)>> Select(string resultsPath, IReadOnlyList<CocoDetection> detections, CocoDataset groundTruth)
    {
        var byImage = new Dictionary<long, List<(double Score, Rle Mask)>>();
        for (var i = 0; i < detections.Count; i++)
        {
            var d = detections[i];
            var record = $"result {i}";   // the reader's name for a record of a results file
            var image = groundTruth.FindImage(d.ImageId) ?? throw new DataFormatException(resultsPath, record, "refers to an image not in the ground truth");
            if (d.Segmentation is null)
            {
                throw new DataFormatException(resultsPath, record, "has no 'segmentation' mask (a box-only results file cannot be made semantic)");
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

            list.Add((d.Score, rle));
        }

        return byImage;
    }
}
