using CellSeg.Models.Torch;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// One image and its annotations before batching: raw intensities (0–255 for 8-bit LIVECell),
/// boxes and polygons in the image's own pixels.
/// </summary>
/// <param name="Image">[H, W] grayscale or [C, H, W] (C = 1 or 3), any numeric type.</param>
/// <param name="Boxes">[G, 4] x1, y1, x2, y2, or null at inference.</param>
/// <param name="Classes">[G] int64, or null (all class 0).</param>
/// <param name="Polygons">Per instance, its polygons as flat x, y, x, y… arrays (COCO), or null.</param>
public sealed record CenterMaskSample(
    Tensor Image,
    Tensor? Boxes = null,
    Tensor? Classes = null,
    IReadOnlyList<IReadOnlyList<double[]>>? Polygons = null);

/// <summary>
/// Builds CenterMask input batches as detectron2 does: shortest-edge resize, optional horizontal
/// flip, normalisation (x − mean)/std, grayscale replicated to 3 channels, zero padding (after
/// normalisation) to a multiple of <see cref="CenterMaskInputOptions.SizeDivisibility"/>. Boxes and
/// polygons follow the image; the resized, unpadded sizes are kept for post-processing.
/// </summary>
/// <remarks>
/// Deviation: the resize is TorchSharp bilinear (align_corners false, no antialias) on floats, where
/// detectron2 uses PIL's bilinear on 8-bit images; the two differ slightly when shrinking.
/// </remarks>
public sealed class CenterMaskInput
{
    /// <summary>Creates the preparation with <paramref name="options"/>.</summary>
    public CenterMaskInput(CenterMaskInputOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PixelStd <= 0 || options.SizeDivisibility <= 0 || options.MinSizeTrain.Count == 0)
        {
            throw new ArgumentException("CenterMask input: std and size divisibility must be positive and MinSizeTrain non-empty.", nameof(options));
        }

        Options = options;
    }

    /// <summary>The settings.</summary>
    public CenterMaskInputOptions Options { get; }

    /// <summary>
    /// detectron2's <c>ResizeShortestEdge.get_output_shape</c>: scale the short side to
    /// <paramref name="shortSide"/>, then shrink so the long side is at most <paramref name="maxSize"/>;
    /// round half up. A short side of 0 keeps the size.
    /// </summary>
    public static (int Height, int Width) ResizedShape(int height, int width, int shortSide, int maxSize)
    {
        if (shortSide <= 0)
        {
            return (height, width);
        }

        var scale = (double)shortSide / Math.Min(height, width);
        double newHeight = height < width ? shortSide : scale * height;
        double newWidth = height < width ? scale * width : shortSide;
        if (maxSize > 0 && Math.Max(newHeight, newWidth) > maxSize)
        {
            var shrink = maxSize / Math.Max(newHeight, newWidth);
            newHeight *= shrink;
            newWidth *= shrink;
        }

        return ((int)(newHeight + 0.5), (int)(newWidth + 0.5));
    }

    /// <summary>
    /// A batch for training (random short side from MinSizeTrain, random flip) or inference (MinSizeTest,
    /// no flip); <paramref name="random"/> makes the choices reproducible.
    /// </summary>
    public CenterMaskBatch Prepare(IReadOnlyList<CenterMaskSample> samples, bool training, Random random)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(random);
        var transformed = new List<PreparedImage>();
        foreach (var sample in samples)
        {
            var shortSide = training ? Options.MinSizeTrain[random.Next(Options.MinSizeTrain.Count)] : Options.MinSizeTest;
            var maxSize = training ? Options.MaxSizeTrain : Options.MaxSizeTest;
            var flip = training && Options.HorizontalFlip && random.NextDouble() < 0.5;
            transformed.Add(Transform(sample, shortSide, maxSize, flip));
        }

        return Collate(transformed);
    }

    /// <summary>A batch with an explicit short side, long-side cap and flip for every image (tests, evaluation).</summary>
    public CenterMaskBatch Prepare(IReadOnlyList<CenterMaskSample> samples, int shortSide, int maxSize, bool flip)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return Collate(samples.Select(s => Transform(s, shortSide, maxSize, flip)).ToList());
    }

    private PreparedImage Transform(CenterMaskSample sample, int shortSide, int maxSize, bool flip)
    {
        using var scope = NewDisposeScope();
        var image = sample.Image.to_type(ScalarType.Float32);
        if (image.dim() == 2)
        {
            image = image.unsqueeze(0);
        }

        if (image.dim() != 3 || (image.shape[0] != 1 && image.shape[0] != 3))
        {
            throw new ArgumentException($"CenterMask input: an image must be [H, W] or [C, H, W] with 1 or 3 channels, got [{string.Join(", ", sample.Image.shape)}].", nameof(sample));
        }

        var height = (int)image.shape[1];
        var width = (int)image.shape[2];
        var (newHeight, newWidth) = ResizedShape(height, width, shortSide, maxSize);
        if (newHeight != height || newWidth != width)
        {
            image = functional.interpolate(image.unsqueeze(0), size: [newHeight, newWidth], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(0);
        }

        if (flip)
        {
            image = image.flip(2);
        }

        image = image.Minus(Options.PixelMean).Over(Options.PixelStd);
        if (image.shape[0] == 1)
        {
            image = image.expand(3, -1, -1);
        }

        var scaleX = (double)newWidth / width;
        var scaleY = (double)newHeight / height;
        Tensor? boxes = null;
        if (sample.Boxes is not null)
        {
            var b = sample.Boxes.to_type(ScalarType.Float32);
            var x1 = b[.., 0].Times(scaleX);
            var x2 = b[.., 2].Times(scaleX);
            if (flip)
            {
                (x1, x2) = (x2.Subtracted(newWidth), x1.Subtracted(newWidth));
            }

            boxes = stack([x1, b[.., 1].Times(scaleY), x2, b[.., 3].Times(scaleY)], 1).MoveToOuterDisposeScope();
        }

        var classes = sample.Classes?.to_type(ScalarType.Int64).MoveToOuterDisposeScope()
            ?? (boxes is null ? null : zeros(boxes.shape[0], dtype: ScalarType.Int64).MoveToOuterDisposeScope());
        var polygons = sample.Polygons?.Select(instance => (IReadOnlyList<double[]>)instance
            .Select(polygon => TransformPolygon(polygon, scaleX, scaleY, flip ? newWidth : (double?)null)).ToArray()).ToArray();
        return new PreparedImage(image.contiguous().MoveToOuterDisposeScope(), (height, width), (newHeight, newWidth), boxes, classes, polygons, flip);
    }

    private static double[] TransformPolygon(double[] polygon, double scaleX, double scaleY, double? flipWidth)
    {
        var result = new double[polygon.Length];
        for (var i = 0; i + 1 < polygon.Length; i += 2)
        {
            var x = polygon[i] * scaleX;
            result[i] = flipWidth is { } w ? w - x : x;
            result[i + 1] = polygon[i + 1] * scaleY;
        }

        return result;
    }

    private CenterMaskBatch Collate(List<PreparedImage> images)
    {
        if (images.Count == 0)
        {
            throw new ArgumentException("CenterMask input: a batch needs at least one image.");
        }

        var divisor = Options.SizeDivisibility;
        var maxHeight = images.Max(i => i.Resized.Height);
        var maxWidth = images.Max(i => i.Resized.Width);
        var paddedHeight = (maxHeight + divisor - 1) / divisor * divisor;
        var paddedWidth = (maxWidth + divisor - 1) / divisor * divisor;
        using var scope = NewDisposeScope();
        var batch = zeros(images.Count, 3, paddedHeight, paddedWidth);
        for (var n = 0; n < images.Count; n++)
        {
            var (h, w) = images[n].Resized;
            batch[n, .., ..h, ..w] = images[n].Image;
            images[n].Image.Dispose();
        }

        return new CenterMaskBatch(
            batch.MoveToOuterDisposeScope(),
            images.Select(i => i.Resized).ToArray(),
            images.Select(i => i.Original).ToArray(),
            images.Select(i => i.Boxes).ToArray(),
            images.Select(i => i.Classes).ToArray(),
            images.Select(i => i.Polygons).ToArray(),
            images.Select(i => i.Flipped).ToArray());
    }

    private sealed record PreparedImage(
        Tensor Image,
        (int Height, int Width) Original,
        (int Height, int Width) Resized,
        Tensor? Boxes,
        Tensor? Classes,
        IReadOnlyList<IReadOnlyList<double[]>>? Polygons,
        bool Flipped);
}

/// <summary>
/// A prepared CenterMask batch. <see cref="Images"/> is [N, 3, H, W] with H and W multiples of the size
/// divisibility; everything else is per image, in the resized (and possibly flipped) frame.
/// </summary>
/// <param name="Images">Normalised, zero-padded images [N, 3, H, W] float32.</param>
/// <param name="ImageSizes">(height, width) after resizing, before padding: clip detections to it.</param>
/// <param name="OriginalSizes">(height, width) of the source images: rescale detections to it.</param>
/// <param name="Boxes">[G, 4] boxes per image, or null.</param>
/// <param name="Classes">[G] classes per image, or null.</param>
/// <param name="Polygons">Polygons per instance per image, or null.</param>
/// <param name="Flipped">Whether each image was flipped.</param>
public sealed record CenterMaskBatch(
    Tensor Images,
    IReadOnlyList<(int Height, int Width)> ImageSizes,
    IReadOnlyList<(int Height, int Width)> OriginalSizes,
    IReadOnlyList<Tensor?> Boxes,
    IReadOnlyList<Tensor?> Classes,
    IReadOnlyList<IReadOnlyList<IReadOnlyList<double[]>>?> Polygons,
    IReadOnlyList<bool> Flipped) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        foreach (var t in Boxes.Concat(Classes))
        {
            t?.Dispose();
        }
    }
}
