using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// RoIAlign with torchvision's <c>roi_align</c> semantics (TorchSharp's torchvision has none): bilinear samples
/// on a regular grid in every output bin, averaged. Used with <c>aligned</c> (detectron2's "ROIAlignV2", the
/// −0.5 pixel shift) and an adaptive grid (<c>ceil(roi size / output size)</c> per RoI and axis) by CenterMask.
/// </summary>
/// <remarks>
/// Bilinear interpolation on a grid of points is separable: a point's weight on pixel (y, x) is
/// w<sub>y</sub>(y)·w<sub>x</sub>(x), torchvision's border rules (a point beyond −1 or the size is zero, otherwise
/// clamped) act on each axis alone, and the average over the iy × ix samples of a bin is the product of the
/// per-axis averages. So each RoI's output is A<sub>y</sub> · F<sub>window</sub> · A<sub>x</sub>ᵀ, with small
/// weight matrices built once per RoI (per sample, never per feature pixel) and the RoI's window of features
/// gathered with computed indices. RoIs are batched by their window size (exact up to 16, then rounded up to
/// a multiple of 8), so thousands of RoIs take a few dozen batched matrix products. Autograd flows to the features through the
/// gather and the products; the boxes get no gradient (as in torchvision).
/// </remarks>
public static class RoiAlign
{
    /// <summary>
    /// Pools <paramref name="rois"/> from <paramref name="features"/>.
    /// </summary>
    /// <param name="features">[B, C, H, W], float32 or float64, on any device.</param>
    /// <param name="rois">[K, 5]: (batch index, x1, y1, x2, y2) in image pixels, as torchvision expects.</param>
    /// <param name="outputSize">Bins per side (CenterMask: 14).</param>
    /// <param name="spatialScale">Feature pixels per image pixel, 1 / stride.</param>
    /// <param name="samplingRatio">Samples per bin and axis; ≤ 0 means adaptive, <c>ceil(roi size / outputSize)</c>.</param>
    /// <param name="aligned">Shift box coordinates by −0.5 feature pixel so that pixel centres line up (ROIAlignV2).</param>
    /// <returns>[K, C, outputSize, outputSize] in the order of <paramref name="rois"/>.</returns>
    public static Tensor Apply(Tensor features, Tensor rois, int outputSize = 14, double spatialScale = 1.0, int samplingRatio = 0, bool aligned = true) =>
        Apply(features, rois, outputSize, spatialScale, samplingRatio, aligned, DefaultWindowBudget);

    // Gathered window values per batched step (64 Mi elements, 256 MB in float32): thousands of large RoIs on a
    // 256-channel map would otherwise gather gigabytes at once.
    internal const long DefaultWindowBudget = 1L << 26;

    /// <summary><see cref="Apply(Tensor, Tensor, int, double, int, bool)"/> with the gathered-window budget per step given.</summary>
    internal static Tensor Apply(Tensor features, Tensor rois, int outputSize, double spatialScale, int samplingRatio, bool aligned, long windowBudget)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(rois);
        if (features.dim() != 4)
        {
            throw new ArgumentException($"features must be [B, C, H, W], got [{string.Join(", ", features.shape)}]", nameof(features));
        }

        if (rois.dim() != 2 || rois.shape[1] != 5)
        {
            throw new ArgumentException($"rois must be [K, 5] (batch, x1, y1, x2, y2), got [{string.Join(", ", rois.shape)}]", nameof(rois));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        long batch = features.shape[0], channels = features.shape[1], height = features.shape[2], width = features.shape[3];
        var count = (int)rois.shape[0];
        if (count == 0)
        {
            return zeros([0, channels, outputSize, outputSize], features.dtype, features.device);
        }

        float[] roiData;
        using (var cpu = rois.detach().to(ScalarType.Float32, CPU).contiguous())
        {
            roiData = cpu.data<float>().ToArray();
        }

        var ys = new AxisSamples[count];
        var xs = new AxisSamples[count];
        var batchOf = new int[count];
        var scale = (float)spatialScale;
        var offset = aligned ? 0.5f : 0f;
        for (var k = 0; k < count; k++)
        {
            var b = roiData[k * 5];
            if (b < 0 || b >= batch || b != MathF.Floor(b))
            {
                throw new ArgumentException($"roi {k} names batch index {b}, the features hold {batch} image(s)", nameof(rois));
            }

            batchOf[k] = (int)b;
            var startW = roiData[k * 5 + 1] * scale - offset;
            var startH = roiData[k * 5 + 2] * scale - offset;
            var roiW = roiData[k * 5 + 3] * scale - offset - startW;
            var roiH = roiData[k * 5 + 4] * scale - offset - startH;
            if (!aligned)
            {
                // torchvision's legacy mode forces malformed RoIs to 1×1.
                roiW = MathF.Max(roiW, 1f);
                roiH = MathF.Max(roiH, 1f);
            }

            var gridH = samplingRatio > 0 ? samplingRatio : (int)MathF.Ceiling(roiH / outputSize);
            var gridW = samplingRatio > 0 ? samplingRatio : (int)MathF.Ceiling(roiW / outputSize);
            ys[k] = AxisSamples.Build(startH, roiH / outputSize, gridH, outputSize, (int)height);
            xs[k] = AxisSamples.Build(startW, roiW / outputSize, gridW, outputSize, (int)width);
        }

        // Batch RoIs by window size so that each batch is one gather and two bmm.
        var groups = new Dictionary<(int, int), List<int>>();
        for (var k = 0; k < count; k++)
        {
            var key = (Bucket(ys[k].Length, (int)height), Bucket(xs[k].Length, (int)width));
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add(k);
        }

        using var scope = NewDisposeScope();
        var rows = features.permute(0, 2, 3, 1).reshape(batch * height * width, channels);

        // Every group writes its RoIs straight into their rows of the result (one strided copy, no cat/reorder of
        // the K×C×14×14 output, which is the largest tensor here).
        var result = empty([count, channels, outputSize, outputSize], features.dtype, features.device);
        foreach (var ((ly, lx), group) in groups)
        {
            var perStep = (int)Math.Clamp(windowBudget / ((long)ly * lx * channels), 1, group.Count);
            foreach (var members in group.Chunk(perStep))
            {
                PoolGroup(members, ly, lx);
            }
        }

        return result.MoveToOuterDisposeScope();

        void PoolGroup(int[] members, int ly, int lx)
        {
            using var step = NewDisposeScope(); // frees each step's window and products before the next
            var n = members.Length;
            var index = new long[n * ly * lx];
            var ay = new float[n * outputSize * ly];
            var ax = new float[n * outputSize * lx];
            for (var i = 0; i < n; i++)
            {
                var k = members[i];
                long imageBase = batchOf[k] * height * width;
                for (var r = 0; r < ly; r++)
                {
                    var row = Math.Min(ys[k].Start + r, (int)height - 1);
                    for (var c = 0; c < lx; c++)
                    {
                        var col = Math.Min(xs[k].Start + c, (int)width - 1);
                        index[(i * ly + r) * lx + c] = imageBase + row * width + col;
                    }
                }

                ys[k].FillWeights(ay.AsSpan(i * outputSize * ly, outputSize * ly), ly);
                xs[k].FillWeights(ax.AsSpan(i * outputSize * lx, outputSize * lx), lx);
            }

            var window = rows.index_select(0, tensor(index, device: features.device)).view(n, ly, lx * channels);
            var wy = tensor(ay, [n, outputSize, ly]).to(features.dtype, features.device);
            var wx = tensor(ax, [n, 1, outputSize, lx]).to(features.dtype, features.device);

            // [n, P, ly] · [n, ly, lx·C] → [n, P, lx, C]; then [n, 1, Q, lx] · [n, P, lx, C] → [n, P, Q, C].
            var alongY = bmm(wy, window).view(n, outputSize, lx, channels);
            var pooled = matmul(wx, alongY);
            var targetRows = tensor(members.Select(k => (long)k).ToArray(), device: features.device);
            result.index_copy_(0, targetRows, pooled.permute(0, 3, 1, 2));
        }
    }

    // Exact up to 16 (the gathered window is the main cost, so padding small windows doubles the work),
    // then multiples of 8; capped at the map size.
    private static int Bucket(int length, int size) => Math.Min(length <= 16 ? length : (length + 7) / 8 * 8, size);

    /// <summary>The bilinear samples of one RoI along one axis: per output bin, grid points with their two taps.</summary>
    private readonly struct AxisSamples
    {
        private readonly int[] _low;
        private readonly int[] _high;
        private readonly float[] _wLow;
        private readonly float[] _wHigh;
        private readonly int _grid;

        private AxisSamples(int[] low, int[] high, float[] wLow, float[] wHigh, int grid, int start, int length)
        {
            _low = low;
            _high = high;
            _wLow = wLow;
            _wHigh = wHigh;
            _grid = grid;
            Start = start;
            Length = length;
        }

        /// <summary>First feature row (or column) the RoI touches.</summary>
        public int Start { get; }

        /// <summary>Rows (or columns) from <see cref="Start"/> to the last one touched.</summary>
        public int Length { get; }

        public static AxisSamples Build(float start, float bin, int grid, int bins, int size)
        {
            if (grid <= 0)
            {
                // An empty or inverted RoI: torchvision averages over no samples and outputs zeros.
                return new AxisSamples([], [], [], [], 0, 0, 1);
            }

            var n = bins * grid;
            var low = new int[n];
            var high = new int[n];
            var wLow = new float[n];
            var wHigh = new float[n];
            int first = int.MaxValue, last = -1;
            for (var p = 0; p < bins; p++)
            {
                for (var i = 0; i < grid; i++)
                {
                    var s = p * grid + i;
                    var v = start + p * bin + (i + .5f) * bin / grid;
                    if (v < -1.0 || v > size)
                    {
                        continue; // weights stay 0: the point contributes nothing
                    }

                    if (v <= 0)
                    {
                        v = 0;
                    }

                    var lo = (int)v;
                    int hi;
                    if (lo >= size - 1)
                    {
                        hi = lo = size - 1;
                        v = lo;
                    }
                    else
                    {
                        hi = lo + 1;
                    }

                    var frac = v - lo;
                    low[s] = lo;
                    high[s] = hi;
                    wLow[s] = (1f - frac) / grid;
                    wHigh[s] = frac / grid;
                    first = Math.Min(first, lo);
                    last = Math.Max(last, hi);
                }
            }

            if (last < 0)
            {
                return new AxisSamples([], [], [], [], 0, 0, 1);
            }

            for (var s = 0; s < n; s++)
            {
                if (wLow[s] == 0 && wHigh[s] == 0)
                {
                    low[s] = high[s] = first;
                }
            }

            return new AxisSamples(low, high, wLow, wHigh, grid, first, last - first + 1);
        }

        /// <summary>Writes the [bins, window] averaging matrix of this axis (zeros for an empty RoI).</summary>
        public void FillWeights(Span<float> target, int window)
        {
            if (_grid == 0)
            {
                return;
            }

            for (var s = 0; s < _low.Length; s++)
            {
                var p = s / _grid;
                target[p * window + _low[s] - Start] += _wLow[s];
                target[p * window + _high[s] - Start] += _wHigh[s];
            }
        }
    }
}
