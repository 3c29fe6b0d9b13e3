using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// RoIAlign from tensor operations only, for devices and dtypes the managed CPU kernel does not cover (a GPU,
/// float64). Each RoI's output is A<sub>y</sub> · F<sub>window</sub> · A<sub>x</sub>ᵀ (bilinear sampling is
/// separable), with the window gathered by computed indices; RoIs are batched by window size, so thousands of RoIs
/// take a few dozen batched matrix products. Autograd flows to the features through the gather and the products.
/// </summary>
internal static class RoiAlignBatched
{
    /// <summary>Gathered window values per batched step (64 Mi elements, 256 MB in float32).</summary>
    /// <remarks>Thousands of large RoIs on a 256-channel map would otherwise gather gigabytes at once.</remarks>
    public const long DefaultWindowBudget = 1L << 26;

    /// <summary>Pools the RoIs of <paramref name="samples"/> from <paramref name="features"/> ([B, C, H, W]).</summary>
    public static Tensor Pool(Tensor features, RoiSamples samples, long windowBudget)
    {
        long batch = features.shape[0], channels = features.shape[1], height = features.shape[2], width = features.shape[3];
        var count = samples.Count;
        var outputSize = samples.OutputSize;
        var (ys, xs, batchOf) = (samples.Ys, samples.Xs, samples.BatchOf);

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
}
