namespace CellSeg.Models.CenterMask;

/// <summary>
/// Labels and samples training proposals for the RoI heads, as detectron2's <c>label_and_sample_proposals</c> with
/// CenterMask's settings: GT boxes appended, each proposal matched to the cell with the highest IoU, foreground at
/// IoU ≥ threshold (no low-quality matches), then at most BatchSizePerImage RoIs with at most PositiveFraction
/// foreground, drawn at random from a caller-seeded generator so that runs repeat.
/// </summary>
public sealed class ProposalMatcher
{
    /// <summary>Creates a matcher.</summary>
    public ProposalMatcher(ProposalMatcherOptions? options = null)
    {
        Options = options ?? new ProposalMatcherOptions();
        if (Options.BatchSizePerImage < 1 || Options.PositiveFraction is < 0 or > 1 || Options.NumClasses < 1)
        {
            throw new ArgumentException($"invalid matcher options {Options}", nameof(options));
        }
    }

    /// <summary>The settings in use.</summary>
    public ProposalMatcherOptions Options { get; }

    /// <summary>Samples the RoIs of one image.</summary>
    /// <param name="proposals">[P × 4] proposal boxes (x1, y1, x2, y2), image pixels.</param>
    /// <param name="gtBoxes">[G × 4] cell boxes (x1, y1, x2, y2).</param>
    /// <param name="gtClasses">[G] cell classes (0-based foreground).</param>
    /// <param name="random">The run's seeded generator.</param>
    public SampledProposals Sample(ReadOnlySpan<float> proposals, ReadOnlySpan<float> gtBoxes, ReadOnlySpan<int> gtClasses, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (proposals.Length % 4 != 0 || gtBoxes.Length % 4 != 0 || gtBoxes.Length / 4 != gtClasses.Length)
        {
            throw new ArgumentException($"boxes must hold 4 values each and one class per GT box: {proposals.Length} proposal values, {gtBoxes.Length} GT values, {gtClasses.Length} classes");
        }

        var boxes = Options.AppendGroundTruth ? [.. proposals, .. gtBoxes] : proposals.ToArray();
        var n = boxes.Length / 4;
        var g = gtClasses.Length;
        var matched = new int[n];
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            var best = -1.0;
            var bestGt = 0;
            for (var j = 0; j < g; j++)
            {
                var iou = Iou(boxes.AsSpan(i * 4, 4), gtBoxes.Slice(j * 4, 4));
                if (iou > best)
                {
                    best = iou; // the first of equal maxima wins, as torch.max on the CPU
                    bestGt = j;
                }
            }

            var foreground = g > 0 && best >= Options.IouThreshold;
            matched[i] = foreground ? bestGt : -1;
            labels[i] = foreground ? gtClasses[bestGt] : Options.NumClasses;
        }

        var positives = Enumerable.Range(0, n).Where(i => matched[i] >= 0).ToArray();
        var negatives = Enumerable.Range(0, n).Where(i => matched[i] < 0).ToArray();
        var positiveCount = Math.Min(positives.Length, (int)(Options.BatchSizePerImage * Options.PositiveFraction));
        var negativeCount = Math.Min(negatives.Length, Options.BatchSizePerImage - positiveCount);
        int[] chosen = [.. Draw(positives, positiveCount, random), .. Draw(negatives, negativeCount, random)];

        var sampledBoxes = new float[chosen.Length * 4];
        for (var k = 0; k < chosen.Length; k++)
        {
            Array.Copy(boxes, chosen[k] * 4, sampledBoxes, k * 4, 4);
        }

        return new SampledProposals(sampledBoxes, chosen, chosen.Select(i => matched[i]).ToArray(), chosen.Select(i => labels[i]).ToArray());
    }

    /// <summary>Box IoU without the +1 pixel convention (detectron2's <c>pairwise_iou</c>); 0 when the boxes do not overlap.</summary>
    public static double Iou(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double iw = Math.Min(a[2], b[2]) - Math.Max(a[0], b[0]);
        double ih = Math.Min(a[3], b[3]) - Math.Max(a[1], b[1]);
        if (iw <= 0 || ih <= 0)
        {
            return 0;
        }

        var inter = iw * ih;
        var union = (double)(a[2] - a[0]) * (a[3] - a[1]) + (double)(b[2] - b[0]) * (b[3] - b[1]) - inter;
        return inter / union;
    }

    // The first `count` entries of a random permutation (partial Fisher–Yates), like randperm(n)[:count].
    private static int[] Draw(int[] pool, int count, Random random)
    {
        var copy = (int[])pool.Clone();
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, copy.Length);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }

        return copy[..count];
    }
}
