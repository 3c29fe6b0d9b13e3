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

    /// <inheritdoc />
    public void Dispose()
    {
        Boxes.Dispose();
        Scores.Dispose();
        Classes.Dispose();
        Levels.Dispose();
    }
}
