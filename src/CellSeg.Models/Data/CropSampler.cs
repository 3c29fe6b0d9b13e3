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

/// <summary>
/// How the sampler mixes real and synthetic images. The defaults draw every image with the same chance,
/// real or synthetic (so the synthetic share of crops is the synthetic share of images).
/// </summary>
public sealed record SyntheticMixing
{
    /// <summary>
    /// The share of crops drawn from synthetic images (each crop: synthetic with this chance, then a uniform
    /// synthetic image; else a uniform real one); null: every image, real or synthetic, equally likely.
    /// </summary>
    public double? SyntheticFraction { get; init; }

    /// <summary>
    /// Density curriculum (sparse to dense): over this share of the training iterations, synthetic crops come only
    /// from the sparsest synthetic images (by share of cell pixels), widening linearly from the sparsest one to all
    /// of them; 0: off.
    /// </summary>
    public double DensityCurriculum { get; init; }

    /// <summary>Iterations of the whole training (the curriculum's time base).</summary>
    public long TotalIterations { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad value.</summary>
    public void Validate()
    {
        if (SyntheticFraction is { } f && !(f is >= 0 and <= 1))
        {
            throw new ArgumentException($"syntheticFraction: must be in [0, 1], not {f}");
        }

        if (!(DensityCurriculum is >= 0 and <= 1))
        {
            throw new ArgumentException($"densityCurriculum: must be in [0, 1], not {DensityCurriculum}");
        }

        if (TotalIterations < 1)
        {
            throw new ArgumentException($"totalIterations: must be ≥ 1, not {TotalIterations}");
        }
    }
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
    private readonly IReadOnlyList<SegmentationSample> synthetic;
    private readonly IReadOnlyList<SegmentationSample> unorderedSynthetic;
    private readonly SyntheticMixing mixing;
    private readonly AugmentationOptions options;
    private readonly long seed;

    /// <summary>Samples from <paramref name="dataset"/> (which must hold at least one image).</summary>
    public CropSampler(SegmentationDataset dataset, AugmentationOptions options, long seed)
        : this(dataset, null, new SyntheticMixing(), options, seed)
    {
    }

    /// <summary>
    /// Samples from real images and synthetic ones, mixed as <paramref name="mixing"/> says. With the default
    /// mixing the batches are exactly those of one dataset holding the real images, then the synthetic ones.
    /// </summary>
    /// <exception cref="ArgumentException">No images at all, a bad crop size or a bad mixing setting.</exception>
    public CropSampler(SegmentationDataset dataset, SegmentationDataset? syntheticImages, SyntheticMixing mixing, AugmentationOptions options, long seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(mixing);
        ArgumentNullException.ThrowIfNull(options);
        mixing.Validate();
        if (dataset.Count == 0 && (syntheticImages is null || syntheticImages.Count == 0))
        {
            throw new ArgumentException("the training set has no images", nameof(dataset));
        }

        if (mixing.SyntheticFraction is { } f && ((f > 0 && syntheticImages is not { Count: > 0 }) || (f < 1 && dataset.Count == 0)))
        {
            throw new ArgumentException($"syntheticFraction {f} needs {(f > 0 ? "synthetic" : "real")} training images, and there are none", nameof(mixing));
        }

        // Sparsest first, so a curriculum's window is a prefix (ties keep their order: deterministic).
        synthetic = syntheticImages is null ? [] : [.. syntheticImages.Samples.Select((s, i) => (s, i, c: Coverage(s))).OrderBy(t => t.c).ThenBy(t => t.i).Select(t => t.s)];
        this.mixing = mixing;

        if (options.CropSize < 1)
        {
            throw new ArgumentException($"crop size must be ≥ 1, not {options.CropSize}", nameof(options));
        }

        samples = dataset.Samples;
        this.options = options;
        this.seed = seed;
        unorderedSynthetic = syntheticImages?.Samples ?? [];
    }

    /// <summary>How many of the synthetic images (sparsest first) crops may come from at iteration <paramref name="step"/>.</summary>
    public int SyntheticWindow(long step)
    {
        if (mixing.DensityCurriculum <= 0 || synthetic.Count == 0)
        {
            return synthetic.Count;
        }

        var progress = (step + 1) / (mixing.DensityCurriculum * mixing.TotalIterations);
        return Math.Clamp((int)Math.Ceiling(progress * synthetic.Count), 1, synthetic.Count);
    }

    /// <summary>The image the next crop of iteration <paramref name="step"/> comes from: exactly the draw <see cref="Batch"/> makes.</summary>
    internal SegmentationSample Choose(Random random, long step)
    {
        if (mixing.DensityCurriculum <= 0 && mixing.SyntheticFraction is null)
        {
            // The draw of one concatenated dataset, so training without mixing settings is unchanged.
            var k = random.Next(samples.Count + unorderedSynthetic.Count);
            return k < samples.Count ? samples[k] : unorderedSynthetic[k - samples.Count];
        }

        var window = SyntheticWindow(step);
        if (mixing.SyntheticFraction is { } f)
        {
            return random.NextDouble() < f ? synthetic[random.Next(window)] : samples[random.Next(samples.Count)];
        }

        var j = random.Next(samples.Count + window);
        return j < samples.Count ? samples[j] : synthetic[j - samples.Count];
    }

    /// <summary>The images the crops of iteration <paramref name="step"/> come from, in order (what <see cref="Batch"/> would crop).</summary>
    public IReadOnlyList<SegmentationSample> Sources(long step, int batchSize)
    {
        var random = new Random(StreamSeed(seed, step));
        var list = new List<SegmentationSample>(batchSize);
        for (var b = 0; b < batchSize; b++)
        {
            list.Add(Choose(random, step));
            Advance(random, list[^1]);
        }

        return list;
    }

    private static double Coverage(SegmentationSample sample)
    {
        var data = sample.Mask.Data;
        long on = 0;
        foreach (var v in data)
        {
            on += v;
        }

        return data.Length == 0 ? 0 : (double)on / data.Length;
    }

    /// <summary>The draws <see cref="Batch"/> makes after choosing an image (window, flips, turns), so <see cref="Sources"/> stays in step with it.</summary>
    private void Advance(Random random, SegmentationSample sample)
    {
        int w = sample.Image.Width, h = sample.Image.Height, s = options.CropSize;
        _ = w > s ? random.Next(w - s + 1) : 0;
        _ = h > s ? random.Next(h - s + 1) : 0;
        _ = options.Flips && random.Next(2) == 1;
        _ = options.Flips && random.Next(2) == 1;
        _ = options.Rotations ? random.Next(4) : 0;
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
            var sample = Choose(random, step);
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
