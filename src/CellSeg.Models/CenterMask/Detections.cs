using CellSeg.Models.Torch;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Detections of one image, best first: the FCOS output at inference and the proposals of the mask
/// head in training. Disposing it disposes the tensors.
/// </summary>
/// <param name="Boxes">[N, 4] float32 x1, y1, x2, y2 in the (resized, unpadded) input image's pixels.</param>
/// <param name="Scores">[N] float32 sqrt(sigmoid(cls) · sigmoid(ctr)).</param>
/// <param name="Classes">[N] int64 0-based class.</param>
/// <param name="Levels">[N] int64 pyramid level index (0 = P3) the detection came from.</param>
/// <param name="ImageHeight">Height the boxes are clipped to.</param>
/// <param name="ImageWidth">Width the boxes are clipped to.</param>
public sealed record Detections(Tensor Boxes, Tensor Scores, Tensor Classes, Tensor Levels, int ImageHeight, int ImageWidth) : IDisposable
{
    /// <summary>Number of detections.</summary>
    public long Count => Scores.shape[0];

    /// <summary>
    /// The boxes in another frame of the same image, e.g. the original image size before
    /// <see cref="CenterMaskInput"/> resized it (detectron2 <c>detector_postprocess</c>): scaled by
    /// width/<see cref="ImageWidth"/> and height/<see cref="ImageHeight"/>, then clipped.
    /// </summary>
    public Tensor BoxesScaledTo(int height, int width)
    {
        using var scope = NewDisposeScope();
        var sx = (double)width / ImageWidth;
        var sy = (double)height / ImageHeight;
        var scaled = stack([
            Boxes[.., 0].Times(sx).ClampTo(0, width), Boxes[.., 1].Times(sy).ClampTo(0, height),
            Boxes[.., 2].Times(sx).ClampTo(0, width), Boxes[.., 3].Times(sy).ClampTo(0, height)], 1);
        return scaled.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Boxes.Dispose();
        Scores.Dispose();
        Classes.Dispose();
        Levels.Dispose();
    }
}
