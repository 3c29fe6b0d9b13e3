namespace CellSeg.Models.Data;

/// <summary>Random crops and augmentation for training.</summary>
public sealed record AugmentationOptions
{
    /// <summary>Side of the square crops, in pixels (images smaller than this are zero-padded).</summary>
    public int CropSize { get; init; } = 256;

    /// <summary>Random horizontal and vertical flips.</summary>
    public bool Flips { get; init; } = true;

    /// <summary>Random rotations by multiples of 90°.</summary>
    public bool Rotations { get; init; } = true;

    /// <summary>Pixel normalisation.</summary>
    public IntensityNormalization Normalization { get; init; } = IntensityNormalization.Livecell;
}

/// <summary>A batch as plain arrays, N×1×S×S row-major: normalised pixels and 0/1 masks.</summary>
/// <param name="Step">The training step this batch belongs to.</param>
/// <param name="Count">Images in the batch.</param>
/// <param name="Size">Side of each crop.</param>
/// <param name="Pixels">Normalised pixels.</param>
/// <param name="Masks">Targets, 0 or 1.</param>
public sealed record CropBatch(long Step, int Count, int Size, float[] Pixels, float[] Masks);

/// <summary>
/// Draws training batches: for each crop a random image, a random window, a random flip and rotation.
/// The batch of step s depends only on (seed, s), so a resumed run draws exactly the batches an
/// uninterrupted one would have, without storing a random generator's state.
/// </summary>
public sealed class CropSampler
{
    private readonly System.Collections.Concurrent.ConcurrentBag<float[]> spare = [];
    private readonly IReadOnlyList<SegmentationSample> samples;
    private readonly AugmentationOptions options;
    private readonly long seed;

    /// <summary>Samples from <paramref name="dataset"/> (which must hold at least one image).</summary>
    public CropSampler(SegmentationDataset dataset, AugmentationOptions options, long seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        if (dataset.Count == 0)
        {
            throw new ArgumentException("the training set has no images", nameof(dataset));
        }

        if (options.CropSize < 1)
        {
            throw new ArgumentException($"crop size must be ≥ 1, not {options.CropSize}", nameof(options));
        }

        samples = dataset.Samples;
        this.options = options;
        this.seed = seed;
    }

    /// <summary>The batch of a step.</summary>
    public CropBatch Batch(long step, int batchSize)
    {
        var s = options.CropSize;
        var pixels = Rent(batchSize * s * s);
        var masks = Rent(batchSize * s * s);
        var random = new Random(StreamSeed(seed, step));
        var mean = (float)options.Normalization.Mean;
        var scale = (float)(1.0 / options.Normalization.Std);
        var window = new float[s * s];
        var windowMask = new float[s * s];
        for (var b = 0; b < batchSize; b++)
        {
            var sample = samples[random.Next(samples.Count)];
            int w = sample.Image.Width, h = sample.Image.Height;
            var x0 = w > s ? random.Next(w - s + 1) : 0;
            var y0 = h > s ? random.Next(h - s + 1) : 0;
            var flipX = options.Flips && random.Next(2) == 1;
            var flipY = options.Flips && random.Next(2) == 1;
            var turns = options.Rotations ? random.Next(4) : 0;

            // Pixels outside a small image are the normalised zero (the mean), masks 0.
            Array.Fill(window, 0f);
            Array.Clear(windowMask);
            var mask = sample.Mask.Data;
            var cw = Math.Min(s, w);
            var ch = Math.Min(s, h);
            if (sample.Image.BitDepth == 8)
            {
                var src = sample.Image.Pixels8;
                for (var y = 0; y < ch; y++)
                {
                    var row = (y0 + y) * w + x0;
                    for (var x = 0; x < cw; x++)
                    {
                        window[y * s + x] = (src[row + x] - mean) * scale;
                        windowMask[y * s + x] = mask[row + x];
                    }
                }
            }
            else
            {
                var src = sample.Image.Pixels16;
                for (var y = 0; y < ch; y++)
                {
                    var row = (y0 + y) * w + x0;
                    for (var x = 0; x < cw; x++)
                    {
                        window[y * s + x] = (src[row + x] - mean) * scale;
                        windowMask[y * s + x] = mask[row + x];
                    }
                }
            }

            var offset = b * s * s;
            Transform(window, pixels.AsSpan(offset, s * s), s, flipX, flipY, turns);
            Transform(windowMask, masks.AsSpan(offset, s * s), s, flipX, flipY, turns);
        }

        return new CropBatch(step, batchSize, s, pixels, masks);
    }

    /// <summary>
    /// Hands a batch's arrays back for reuse once they have been copied into tensors, so a long run does
    /// not leave two large arrays of garbage per step for the collector.
    /// </summary>
    public void Return(CropBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (spare.Count < 16)
        {
            spare.Add(batch.Pixels);
            spare.Add(batch.Masks);
        }
    }

    private float[] Rent(int length)
    {
        // Arrays of another length (another batch or crop size) are dropped; every slot is overwritten below.
        while (spare.TryTake(out var array))
        {
            if (array.Length == length)
            {
                return array;
            }
        }

        return new float[length];
    }

    /// <summary>A seed for step <paramref name="step"/>'s own stream (SplitMix64 of the pair).</summary>
    internal static int StreamSeed(long seed, long step)
    {
        unchecked
        {
            var z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)step + 0x632BE59BD9B4E019UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & 0x7FFFFFFF);
        }
    }

    /// <summary>Flips, then rotates by <paramref name="turns"/> quarter turns (counter-clockwise) into <paramref name="target"/>.</summary>
    private static void Transform(float[] source, Span<float> target, int s, bool flipX, bool flipY, int turns)
    {
        for (var y = 0; y < s; y++)
        {
            for (var x = 0; x < s; x++)
            {
                var sx = flipX ? s - 1 - x : x;
                var sy = flipY ? s - 1 - y : y;
                int tx, ty;
                switch (turns)
                {
                    case 1: tx = sy; ty = s - 1 - sx; break;
                    case 2: tx = s - 1 - sx; ty = s - 1 - sy; break;
                    case 3: tx = s - 1 - sy; ty = sx; break;
                    default: tx = sx; ty = sy; break;
                }

                target[ty * s + tx] = source[y * s + x];
            }
        }
    }
}
