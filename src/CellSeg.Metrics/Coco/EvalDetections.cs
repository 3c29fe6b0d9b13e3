using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Masks;

namespace CellSeg.Metrics.Coco;

/// <summary>
/// Detections prepared for evaluation with pycocotools' <c>loadRes</c> rules: ids 1..N in file order;
/// when the first result has a non-empty <c>bbox</c>, every result is treated as a box result (area =
/// w·h, and a result without a mask gets its box as a polygon); otherwise area is the mask's pixel
/// count and a missing box is the mask's tight box.
/// </summary>
public sealed class EvalDetections
{
    internal EvalDetections(List<EvalObject>[] byImage, int count)
    {
        ObjectsByImage = byImage;
        Count = count;
    }

    /// <summary>Detections of each ground-truth image (same index as <see cref="EvalGroundTruth.Images"/>), in file order.</summary>
    public IReadOnlyList<IReadOnlyList<EvalObject>> ObjectsByImage { get; }

    /// <summary>Total number of detections.</summary>
    public int Count { get; }

    /// <summary>Prepares detections against a prepared ground truth.</summary>
    /// <param name="results">The detections.</param>
    /// <param name="gt">The ground truth they are scored against.</param>
    /// <param name="iouType">Masks or boxes.</param>
    /// <param name="skipped">Lenient mode: a detection that refers to an unknown image, has a mask of the wrong size or the
    /// wrong kind is left out and its problem added here (thread-safe collection) instead of stopping the evaluation.</param>
    /// <exception cref="DataFormatException">A detection refers to an unknown image, has a mask of the wrong size, or mixes result kinds (strict mode).</exception>
    public static EvalDetections Prepare(DetectionSet results, EvalGroundTruth gt, IouType iouType, System.Collections.Concurrent.ConcurrentQueue<string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(gt);
        var list = results.Detections;
        var boxResults = list.Count > 0 && list[0].Bbox is not null;
        var byImage = new List<EvalObject>[gt.Images.Count];
        for (var i = 0; i < byImage.Length; i++)
        {
            byImage[i] = [];
        }

        var prepared = new EvalObject?[list.Count];
        var errors = new DataFormatException?[list.Count];
        Parallel.For(0, list.Count, n =>
        {
            try
            {
                var d = list[n];
                var index = gt.IndexOf(d.ImageId);
                if (index < 0)
                {
                    throw new DataFormatException(results.SourcePath, $"result {n}", $"refers to image {d.ImageId}, which is not in the ground truth");
                }

                prepared[n] = PrepareOne(d, n, gt.Images[index], boxResults, iouType, results.SourcePath);
            }
            catch (DataFormatException error)
            {
                errors[n] = error;   // reported in file order below, not as an AggregateException
            }
        });
        var kept = 0;
        for (var n = 0; n < prepared.Length; n++)
        {
            if (errors[n] is { } error)
            {
                if (skipped is null)
                {
                    throw error;
                }

                skipped.Enqueue($"{error.Record}: {error.Reason}");
                continue;
            }

            byImage[gt.IndexOf(list[n].ImageId)].Add(prepared[n]!);
            kept++;
        }

        return new EvalDetections(byImage, kept);
    }

    private static EvalObject PrepareOne(CocoDetection d, int n, CocoImage image, bool boxResults, IouType iouType, string path)
    {
        Rle? mask = null;
        BoundingBox box;
        double area;
        if (boxResults)
        {
            if (d.Bbox is not { } b)
            {
                throw new DataFormatException(path, $"result {n}", "has no 'bbox' although the first result has one (a results file holds one kind of result, as pycocotools reads it)");
            }

            box = b;
            area = b.Width * b.Height;
            if (iouType == IouType.Segm)
            {
                var segmentation = d.Segmentation ?? BoxPolygon(b);
                mask = ToMask(segmentation, image, path, n);
            }
        }
        else
        {
            if (d.Segmentation is null)
            {
                throw new DataFormatException(path, $"result {n}", "has no 'segmentation' although the first result has one and no 'bbox'");
            }

            mask = ToMask(d.Segmentation, image, path, n);
            area = mask.Area;
            box = d.Bbox ?? mask.ToBbox();
        }

        return new EvalObject(n + 1, d.CategoryId, area, false, iouType == IouType.Segm ? mask : null, box, d.Score);
    }

    private static PolygonSegmentation BoxPolygon(BoundingBox b)
    {
        double x1 = b.X, x2 = b.X + b.Width, y1 = b.Y, y2 = b.Y + b.Height;
        return new PolygonSegmentation([[x1, y1, x1, y2, x2, y2, x2, y1]]);
    }

    private static Rle ToMask(Segmentation segmentation, CocoImage image, string path, int n)
    {
        var rle = segmentation.ToRle(image.Height, image.Width);
        if (rle.Height != image.Height || rle.Width != image.Width)
        {
            throw new DataFormatException(path, $"result {n}", $"mask size {rle.Height}x{rle.Width} (h x w) differs from image {image.Id}, which is {image.Height}x{image.Width}");
        }

        return rle;
    }
}
