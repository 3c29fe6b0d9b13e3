namespace CellSeg.Models.CenterMask;

/// <summary>
/// Which images and which random numbers an iteration uses, as a pure function of the seed and the iteration:
/// images come from an endless stream of seeded permutations (detectron2's <c>TrainingSampler</c>), and each
/// iteration gets its own generator for resizing, flipping and RoI sampling. A resumed run therefore draws exactly
/// what the uninterrupted run would have, with nothing to store but the iteration.
/// </summary>
public sealed class CenterMaskBatchSampler
{
    private readonly int count;
    private readonly int batchSize;
    private readonly long seed;
    private long cachedEpoch = -1;
    private int[] cachedOrder = [];

    /// <summary>A sampler over <paramref name="count"/> images, <paramref name="batchSize"/> per iteration.</summary>
    public CenterMaskBatchSampler(int count, int batchSize, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        this.count = count;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /// <summary>Indices of the images of iteration <paramref name="iteration"/> (0-based).</summary>
    public int[] Batch(long iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        var result = new int[batchSize];
        for (var k = 0; k < batchSize; k++)
        {
            var position = iteration * batchSize + k;
            result[k] = Order(position / count)[(int)(position % count)];
        }

        return result;
    }

    /// <summary>The generator of iteration <paramref name="iteration"/>: resize and flip choices, RoI sampling.</summary>
    public Random Random(long iteration) => new(Mix(seed, iteration, 0x5EED));

    private int[] Order(long epoch)
    {
        if (epoch != cachedEpoch)
        {
            cachedOrder = Enumerable.Range(0, count).ToArray();
            new Random(Mix(seed, epoch, 0x0DE5)).Shuffle(cachedOrder);
            cachedEpoch = epoch;
        }

        return cachedOrder;
    }

    // SplitMix64 of the three values: nearby seeds and iterations give unrelated generators.
    private static int Mix(long a, long b, long salt)
    {
        var x = unchecked((ulong)a * 0x9E3779B97F4A7C15UL ^ (ulong)b * 0xC2B2AE3D27D4EB4FUL ^ (ulong)salt);
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return unchecked((int)x);
    }
}
