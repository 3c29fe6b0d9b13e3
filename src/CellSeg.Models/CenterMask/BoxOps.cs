using System.Numerics;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Box operations for thousands of boxes per image: pairwise IoU and greedy NMS with torchvision's
/// semantics (area (x2−x1)(y2−y1), suppress when IoU &gt; threshold, highest score first).
/// </summary>
/// <remarks>
/// NMS computes the IoU mask with tensors a chunk of rows at a time (only rows not yet suppressed),
/// and the greedy pass ORs each kept row into a byte vector; memory stays chunk × N and no managed
/// loop runs over box pairs. TorchVision (.NET) would add a package for one call and has no
/// batched variant; the class-offset trick below gives the class-wise one.
/// </remarks>
public static class BoxOps
{
    private const int ChunkRows = 512;

    /// <summary>IoU of every box in <paramref name="a"/> [N, 4] with every box in <paramref name="b"/> [M, 4] → [N, M].</summary>
    public static Tensor BoxIou(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var areaA = (a[.., 2] - a[.., 0]) * (a[.., 3] - a[.., 1]);
        var areaB = (b[.., 2] - b[.., 0]) * (b[.., 3] - b[.., 1]);
        var topLeft = maximum(a[.., TensorIndex.None, ..2], b[TensorIndex.None, .., ..2]);
        var bottomRight = minimum(a[.., TensorIndex.None, 2..], b[TensorIndex.None, .., 2..]);
        var wh = (bottomRight - topLeft).clamp_min(0);
        var intersection = wh[.., .., 0] * wh[.., .., 1];
        var iou = intersection / (areaA.unsqueeze(1) + areaB.unsqueeze(0) - intersection);
        return iou.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Greedy NMS: indices (int64) of the kept boxes, in decreasing score order.
    /// </summary>
    /// <param name="boxes">[N, 4] x1, y1, x2, y2.</param>
    /// <param name="scores">[N].</param>
    /// <param name="iouThreshold">A box is dropped when its IoU with a kept, higher-scoring box exceeds this.</param>
    public static Tensor Nms(Tensor boxes, Tensor scores, double iouThreshold)
    {
        using var scope = NewDisposeScope();
        var n = boxes.shape[0];
        if (n == 0)
        {
            return empty(0, dtype: ScalarType.Int64, device: boxes.device).MoveToOuterDisposeScope();
        }

        var order = scores.argsort(descending: true);
        var sorted = boxes.index_select(0, order).to_type(ScalarType.Float32).cpu();
        var suppressed = new byte[n];
        var kept = new List<long>();
        for (long start = 0; start < n; start += ChunkRows)
        {
            using var chunkScope = NewDisposeScope();
            var end = Math.Min(n, start + ChunkRows);
            var active = new List<long>();
            for (var i = start; i < end; i++)
            {
                if (suppressed[i] == 0)
                {
                    active.Add(i);
                }
            }

            if (active.Count == 0)
            {
                continue;
            }

            var rows = sorted.index_select(0, tensor(active.ToArray()));
            var columns = sorted.narrow(0, start, n - start);
            var width = n - start;
            var mask = (BoxIou(rows, columns) > iouThreshold).to_type(ScalarType.Byte).contiguous().data<byte>().ToArray();
            for (var k = 0; k < active.Count; k++)
            {
                var i = active[k];
                if (suppressed[i] != 0)
                {
                    continue;
                }

                kept.Add(i);
                // Row i covers columns start..n; j ≤ i are either kept already or irrelevant, so
                // OR-ing the whole row is safe once i itself is recorded as kept.
                OrInto(suppressed.AsSpan((int)start, (int)width), mask.AsSpan((int)(k * width), (int)width));
            }
        }

        var keptSorted = tensor(kept.ToArray());
        return order.cpu().index_select(0, keptSorted).to(boxes.device).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Class-wise NMS (torchvision's <c>batched_nms</c>): boxes of different classes never suppress each
    /// other, done in one NMS by offsetting each class's boxes beyond all others.
    /// </summary>
    public static Tensor BatchedNms(Tensor boxes, Tensor scores, Tensor classes, double iouThreshold)
    {
        using var scope = NewDisposeScope();
        if (boxes.shape[0] == 0)
        {
            return empty(0, dtype: ScalarType.Int64, device: boxes.device).MoveToOuterDisposeScope();
        }

        var offsets = classes.to_type(boxes.dtype) * (boxes.max() + 1);
        var shifted = boxes + offsets.unsqueeze(1);
        return Nms(shifted, scores, iouThreshold).MoveToOuterDisposeScope();
    }

    private static void OrInto(Span<byte> target, ReadOnlySpan<byte> source)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var size = Vector<byte>.Count;
            for (; i + size <= target.Length; i += size)
            {
                (new Vector<byte>(target[i..]) | new Vector<byte>(source[i..])).CopyTo(target[i..]);
            }
        }

        for (; i < target.Length; i++)
        {
            target[i] |= source[i];
        }
    }
}
