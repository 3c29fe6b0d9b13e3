using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// RoIAlign's forward and backward over float32 CPU memory. Features are laid out channels-last ([B, H, W, C]) so
/// that a tap (one feature pixel with its weight) adds one contiguous channel row with SIMD; a bin's channel row is
/// then written into the [K, C, P, P] output. Forward runs RoIs in parallel; backward runs channel slices in parallel
/// (RoIs overlap, channels never do), each over libtorch's intra-op thread count.
/// </summary>
internal static unsafe class RoiAlignKernel
{
    /// <summary>Pools into a new [K, C, P, P] tensor.</summary>
    public static Tensor Forward(Tensor features, RoiAlignPlan plan)
    {
        int channels = (int)features.shape[1], height = (int)features.shape[2], width = (int)features.shape[3];
        var size = plan.OutputSize;
        var bins = size * size;
        var (rows, columns) = (plan.Rows, plan.Columns);
        using var view = features.permute(0, 2, 3, 1); // no graph: autograd functions run their forward without grad
        using var nhwc = view.contiguous();
        var result = empty([plan.Count, channels, size, size], ScalarType.Float32, CPU);
        var source = Pointer(nhwc);
        var target = Pointer(result);
        Parallel.For(0, plan.Count, Options(), () => new float[bins * channels], (k, _, acc) =>
        {
            Array.Clear(acc);
            fixed (float* a = acc)
            {
                var f = (float*)source;
                long imageBase = (long)plan.BatchOf[k] * height * width;
                for (var p = 0; p < size; p++)
                {
                    for (var q = 0; q < size; q++)
                    {
                        var row = a + (p * size + q) * channels;
                        var taps = new BinTaps(plan, k, p, q);
                        for (var i = taps.RowStart; i < taps.RowEnd; i++)
                        {
                            var rowBase = imageBase + (long)rows.Index[i] * width;
                            var wy = rows.Weight[i];
                            for (var j = taps.ColumnStart; j < taps.ColumnEnd; j++)
                            {
                                Axpy(f + (rowBase + columns.Index[j]) * channels, wy * columns.Weight[j], row, channels);
                            }
                        }
                    }
                }

                var o = (float*)target + (long)k * channels * bins;
                for (var c = 0; c < channels; c++)
                {
                    for (var b = 0; b < bins; b++)
                    {
                        o[c * bins + b] = a[b * channels + c];
                    }
                }
            }

            return acc;
        }, _ => { });
        return result;
    }

    /// <summary>The gradient of the features ([B, C, H, W]) for the output gradient <paramref name="gradOutput"/>.</summary>
    public static Tensor Backward(Tensor gradOutput, RoiAlignPlan plan, long[] featureShape)
    {
        int batch = (int)featureShape[0], channels = (int)featureShape[1], height = (int)featureShape[2], width = (int)featureShape[3];
        var size = plan.OutputSize;
        var bins = size * size;
        var (rows, columns) = (plan.Rows, plan.Columns);
        using var g = gradOutput.contiguous();
        using var gradNhwc = zeros([batch, height, width, channels], ScalarType.Float32, CPU);
        var source = Pointer(g);
        var target = Pointer(gradNhwc);

        // Slices of whole SIMD vectors, at least one per thread when the channels allow it.
        var vector = Vector<float>.Count;
        var slices = Math.Max(1, Math.Min(Options().MaxDegreeOfParallelism, channels / vector));
        var per = (channels + slices - 1) / slices;
        per = (per + vector - 1) / vector * vector;
        slices = (channels + per - 1) / per;
        Parallel.For(0, slices, Options(), s =>
        {
            var c0 = s * per;
            var width0 = Math.Min(per, channels - c0);
            var local = new float[bins * width0];
            fixed (float* l = local)
            {
                var grad = (float*)target + c0;
                for (var k = 0; k < plan.Count; k++)
                {
                    var o = (float*)source + (long)k * channels * bins + (long)c0 * bins;
                    for (var c = 0; c < width0; c++)
                    {
                        for (var b = 0; b < bins; b++)
                        {
                            l[b * width0 + c] = o[c * bins + b];
                        }
                    }

                    long imageBase = (long)plan.BatchOf[k] * height * width;
                    for (var p = 0; p < size; p++)
                    {
                        for (var q = 0; q < size; q++)
                        {
                            var row = l + (p * size + q) * width0;
                            var taps = new BinTaps(plan, k, p, q);
                            for (var i = taps.RowStart; i < taps.RowEnd; i++)
                            {
                                var rowBase = imageBase + (long)rows.Index[i] * width;
                                var wy = rows.Weight[i];
                                for (var j = taps.ColumnStart; j < taps.ColumnEnd; j++)
                                {
                                    Axpy(row, wy * columns.Weight[j], grad + (rowBase + columns.Index[j]) * channels, width0);
                                }
                            }
                        }
                    }
                }
            }
        });
        using var nchw = gradNhwc.permute(0, 3, 1, 2);
        return nchw.contiguous();
    }

    // A contiguous CPU tensor's memory (TorchSharp 0.107 exposes it as a byte span, up to 2 GB).
    private static nint Pointer(Tensor t) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    private static ParallelOptions Options() => new() { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) };

    // The tap ranges of bin (p, q) of RoI k: rows.Index[RowStart..RowEnd) × columns.Index[ColumnStart..ColumnEnd).
    private readonly struct BinTaps(RoiAlignPlan plan, int k, int p, int q)
    {
        public int RowStart { get; } = plan.Rows.Offsets[k * plan.OutputSize + p];

        public int RowEnd { get; } = plan.Rows.Offsets[k * plan.OutputSize + p + 1];

        public int ColumnStart { get; } = plan.Columns.Offsets[k * plan.OutputSize + q];

        public int ColumnEnd { get; } = plan.Columns.Offsets[k * plan.OutputSize + q + 1];
    }

    // y[0..n) += a·x[0..n)
    private static void Axpy(float* x, float a, float* y, int n)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(a);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Store(Vector.Load(y + i) + va * Vector.Load(x + i), y + i);
            }
        }

        for (; i < n; i++)
        {
            y[i] += a * x[i];
        }
    }
}
