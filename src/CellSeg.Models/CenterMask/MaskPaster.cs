using CellSeg.Data.Masks;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Pastes M×M mask probabilities back into the image, as detectron2's <c>paste_masks_in_image</c> does on the CPU:
/// each box-aligned map is sampled bilinearly (<c>grid_sample</c>, align_corners False, zeros outside) at the pixel
/// centres of the box's extent plus one pixel, thresholded at ≥ 0.5 and encoded as a COCO RLE with CellSeg.Data's code.
/// </summary>
/// <remarks>
/// Only the pixels of each box's extent are visited and the RLE is built from their column-major positions, so
/// LIVECell's thousands of masks per image cost their boxes' area, not thousands of full images. Boxes should already
/// be in output-image pixels and clipped to the image, as detectron2's <c>detector_postprocess</c> gives them.
/// </remarks>
public static class MaskPaster
{
    /// <summary>Pastes one mask.</summary>
    /// <param name="mask">Size × Size probabilities, row-major.</param>
    /// <param name="size">Mask side M.</param>
    /// <param name="x0">Box left (image pixels).</param>
    /// <param name="y0">Box top.</param>
    /// <param name="x1">Box right.</param>
    /// <param name="y1">Box bottom.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="threshold">A pixel is foreground when its sampled probability is ≥ this (0.5).</param>
    public static Rle Paste(ReadOnlySpan<float> mask, int size, float x0, float y0, float x1, float y1, int height, int width, float threshold = 0.5f)
    {
        if (mask.Length != size * size)
        {
            throw new ArgumentException($"mask holds {mask.Length} values, a {size}×{size} mask needs {size * size}", nameof(mask));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        var xa = (int)Math.Max(MathF.Floor(x0) - 1, 0);
        var ya = (int)Math.Max(MathF.Floor(y0) - 1, 0);
        var xb = (int)Math.Min(MathF.Ceiling(x1) + 1, width);
        var yb = (int)Math.Min(MathF.Ceiling(y1) + 1, height);
        if (xb <= xa || yb <= ya)
        {
            return Rle.Empty(height, width);
        }

        var rows = Taps(ya, yb, y0, y1, size);
        var cols = Taps(xa, xb, x0, x1, size);
        var positions = new List<int>();
        for (var x = xa; x < xb; x++)
        {
            var c = cols[x - xa];
            for (var y = ya; y < yb; y++)
            {
                var r = rows[y - ya];
                if (Sample(mask, size, r, c) >= threshold)
                {
                    positions.Add(x * height + y);
                }
            }
        }

        return Rle.FromSortedPositions(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(positions), height, width);
    }

    /// <summary>Pastes every mask of a batch (in parallel over masks).</summary>
    /// <param name="masks">[N, M, M] or [N, 1, M, M] probabilities (e.g. <see cref="MaskInference.PredictedClassProbabilities"/>).</param>
    /// <param name="boxes">[N, 4] (x1, y1, x2, y2) in image pixels.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="threshold">Foreground at ≥ this (0.5).</param>
    /// <returns>One RLE per mask, in order; <see cref="Rle.ToCompressedString"/> gives the COCO results string.</returns>
    public static Rle[] PasteAll(Tensor masks, Tensor boxes, int height, int width, float threshold = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(boxes);
        var n = (int)masks.shape[0];
        var size = (int)masks.shape[^1];
        if (masks.shape[^2] != size || masks.numel() != (long)n * size * size || boxes.dim() != 2 || boxes.shape[0] != n || boxes.shape[1] != 4)
        {
            throw new ArgumentException($"expected square masks [N, (1,) M, M] and boxes [N, 4], got [{string.Join(", ", masks.shape)}] and [{string.Join(", ", boxes.shape)}]");
        }

        if (n == 0)
        {
            return [];
        }

        float[] m, b;
        using (var cpu = masks.detach().to(ScalarType.Float32, CPU).contiguous())
        {
            m = cpu.data<float>().ToArray();
        }

        using (var cpu = boxes.detach().to(ScalarType.Float32, CPU).contiguous())
        {
            b = cpu.data<float>().ToArray();
        }

        var result = new Rle[n];
        Parallel.For(0, n, i =>
        {
            result[i] = Paste(m.AsSpan(i * size * size, size * size), size, b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3], height, width, threshold);
        });
        return result;
    }

    // grid_sample's two taps along one axis for the pixel centres [start, end): low index, its weight, high weight.
    private static Tap[] Taps(int start, int end, float lo, float hi, int size)
    {
        var taps = new Tap[end - start];
        for (var p = start; p < end; p++)
        {
            // detectron2: ((p + 0.5) − lo) / (hi − lo) · 2 − 1, then grid_sample's ((g + 1) · size − 1) / 2, in float32.
            var g = ((p + 0.5f) - lo) / (hi - lo) * 2f - 1f;
            var s = ((g + 1f) * size - 1f) / 2f;
            var low = (int)MathF.Floor(s);
            taps[p - start] = new Tap(low, low + 1 - s, s - low);
        }

        return taps;
    }

    private static float Sample(ReadOnlySpan<float> mask, int size, Tap r, Tap c)
    {
        float sum = 0;
        if (r.Low >= 0 && r.Low < size)
        {
            var row = r.Low * size;
            if (c.Low >= 0 && c.Low < size)
            {
                sum += mask[row + c.Low] * (c.LowWeight * r.LowWeight);
            }

            if (c.Low + 1 >= 0 && c.Low + 1 < size)
            {
                sum += mask[row + c.Low + 1] * (c.HighWeight * r.LowWeight);
            }
        }

        if (r.Low + 1 >= 0 && r.Low + 1 < size)
        {
            var row = (r.Low + 1) * size;
            if (c.Low >= 0 && c.Low < size)
            {
                sum += mask[row + c.Low] * (c.LowWeight * r.HighWeight);
            }

            if (c.Low + 1 >= 0 && c.Low + 1 < size)
            {
                sum += mask[row + c.Low + 1] * (c.HighWeight * r.HighWeight);
            }
        }

        return sum;
    }

    private readonly record struct Tap(int Low, float LowWeight, float HighWeight);
}
