using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Inference;

/// <summary>How <see cref="UNetSegmenter"/> turns probabilities into masks and instances.</summary>
public sealed record SegmenterOptions
{
    /// <summary>A pixel is foreground when its probability is at least this.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Connected components smaller than this (pixels) are dropped from the instances.</summary>
    public int MinInstanceArea { get; init; } = 10;

    /// <summary>
    /// Images wider or taller than this are run in overlapping square tiles of this side (a multiple of
    /// 2^depth), averaging the overlaps; null runs every image whole (padded to a multiple of 2^depth).
    /// </summary>
    public int? TileSize { get; init; }

    /// <summary>Overlap of neighbouring tiles, in pixels.</summary>
    public int TileOverlap { get; init; } = 32;
}

/// <summary>Instances found in one image.</summary>
/// <param name="Mask">The thresholded foreground.</param>
/// <param name="Instances">One COCO detection per connected component: an RLE mask, no box (so that pycocotools' loadRes takes the mask's area), score = mean probability.</param>
public sealed record SegmentedImage(BinaryMask Mask, IReadOnlyList<CocoDetection> Instances);

/// <summary>
/// Runs a <see cref="SegmentationModel"/> on whole images: normalise, pad to a multiple of 2^depth (or
/// tile), predict, crop back, threshold; instances are the 8-connected components of the mask.
/// </summary>
public sealed class UNetSegmenter
{
    /// <summary>A segmenter for a loaded model.</summary>
    public UNetSegmenter(SegmentationModel model, SegmenterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Options = options ?? new SegmenterOptions();
        var multiple = 1 << model.Header.Options.TotalDepth;
        if (Options.TileSize is { } tile && (tile % multiple != 0 || tile <= 2 * Options.TileOverlap))
        {
            throw new ArgumentException($"tile size {tile} must be a multiple of {multiple} and more than twice the overlap {Options.TileOverlap}");
        }
    }

    /// <summary>The model.</summary>
    public SegmentationModel Model { get; }

    /// <summary>Threshold, tiling, minimum instance area.</summary>
    public SegmenterOptions Options { get; }

    /// <summary>Foreground probability per pixel, row-major H×W.</summary>
    /// <param name="image">8- or 16-bit gray image.</param>
    /// <param name="cellType">Routes an ensemble to its member (null: mean of members).</param>
    public float[] PredictProbabilities(GrayImage image, string? cellType = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height;
        var normalized = Normalize(image);
        var tile = Options.TileSize;
        Model.Network.eval();
        using var noGrad = no_grad();
        if (tile is null || (w <= tile && h <= tile))
        {
            return PredictWindow(normalized, w, h, 0, 0, w, h, cellType);
        }

        var sum = new float[w * h];
        var count = new float[w * h];
        var step = tile.Value - 2 * Options.TileOverlap;
        for (var y0 = 0; ; y0 += step)
        {
            var ty = Math.Min(y0, Math.Max(0, h - tile.Value));
            for (var x0 = 0; ; x0 += step)
            {
                var tx = Math.Min(x0, Math.Max(0, w - tile.Value));
                int tw = Math.Min(tile.Value, w), th = Math.Min(tile.Value, h);
                var p = PredictWindow(normalized, w, h, tx, ty, tw, th, cellType);
                for (var y = 0; y < th; y++)
                {
                    for (var x = 0; x < tw; x++)
                    {
                        var i = (ty + y) * w + tx + x;
                        sum[i] += p[y * tw + x];
                        count[i] += 1;
                    }
                }

                if (tx + tw >= w)
                {
                    break;
                }
            }

            if (ty + Math.Min(tile.Value, h) >= h)
            {
                break;
            }
        }

        for (var i = 0; i < sum.Length; i++)
        {
            sum[i] /= count[i];
        }

        return sum;
    }

    /// <summary>The thresholded foreground mask.</summary>
    public BinaryMask PredictMask(GrayImage image, string? cellType = null) =>
        Threshold(PredictProbabilities(image, cellType), image.Height, image.Width);

    /// <summary>Mask and instances of one image, as COCO detections of category 1 for <paramref name="imageId"/>.</summary>
    public SegmentedImage Segment(GrayImage image, long imageId, string? cellType = null)
    {
        var probabilities = PredictProbabilities(image, cellType);
        var mask = Threshold(probabilities, image.Height, image.Width);
        return new SegmentedImage(mask, Instances(mask, probabilities, imageId, Options.MinInstanceArea));
    }

    /// <summary>0/1 mask of the pixels whose probability reaches the threshold.</summary>
    public BinaryMask Threshold(float[] probabilities, int height, int width)
    {
        var mask = new BinaryMask(height, width);
        var t = (float)Options.Threshold;
        for (var i = 0; i < probabilities.Length; i++)
        {
            mask.Data[i] = probabilities[i] >= t ? (byte)1 : (byte)0;
        }

        return mask;
    }

    /// <summary>One detection per 8-connected component of at least <paramref name="minArea"/> pixels.</summary>
    public static IReadOnlyList<CocoDetection> Instances(BinaryMask mask, float[] probabilities, long imageId, int minArea)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return [.. ComponentLabels.Find(mask).ToInstances<float>(probabilities, minArea)
            .Select(c => new CocoDetection(imageId, 1, Math.Round(c.MeanValue, 4), new RleSegmentation(c.Mask), null))];
    }

    private float[] Normalize(GrayImage image)
    {
        var n = Model.Header.Normalization;
        var mean = (float)n.Mean;
        var scale = (float)(1 / n.Std);
        var result = new float[image.Width * image.Height];
        if (image.BitDepth == 8)
        {
            var src = image.Pixels8;
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (src[i] - mean) * scale;
            }
        }
        else
        {
            var src = image.Pixels16;
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (src[i] - mean) * scale;
            }
        }

        return result;
    }

    /// <summary>Probabilities of the window (x0, y0, ww, wh), padded with normalised zeros to a multiple of 2^depth.</summary>
    private float[] PredictWindow(float[] normalized, int w, int h, int x0, int y0, int ww, int wh, string? cellType)
    {
        var multiple = 1 << Model.Header.Options.TotalDepth;
        var pw = (ww + multiple - 1) / multiple * multiple;
        var ph = (wh + multiple - 1) / multiple * multiple;
        var input = new float[pw * ph];
        for (var y = 0; y < wh; y++)
        {
            Array.Copy(normalized, (y0 + y) * w + x0, input, y * pw, ww);
        }

        using var scope = NewDisposeScope();
        var batch = tensor(input, [1, 1, ph, pw]).to(Model.Device);
        var probabilities = Model.Probabilities(batch, cellType);
        var cropped = probabilities[0, 0].narrow(0, 0, wh).narrow(1, 0, ww).contiguous().cpu();
        return cropped.data<float>().ToArray();
    }
}
