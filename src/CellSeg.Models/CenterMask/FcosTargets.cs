using CellSeg.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// FCOS training targets (centermask2 <c>FCOSOutputs._get_ground_truth</c>): which ground-truth box
/// each pyramid location regresses, with centre sampling, per-level size ranges and the
/// smallest-area tie-break.
/// </summary>
/// <remarks>
/// A location (x·s + s//2, y·s + s//2) is positive for a box when it lies strictly inside the box's
/// centre region (centre ± radius·s, clipped to the box) and max(l, t, r, b) lies in the level's range
/// [lo, hi] (both ends inclusive, as centermask2); among several such boxes the one with the smallest
/// area wins (the first one on equal areas). Everything is tensor work: with centre sampling each box is
/// paired only with the few grid points of its centre window on each level (a LIVECell image with
/// ~3,000 boxes takes tens of milliseconds); without it, locations × boxes in bounded chunks. Both
/// paths give the same result (tested). Deviation: centermask2's <c>get_sample_region</c> returns no
/// positives at all when the first box's centre x is 0 (a guard against padding boxes); that quirk is
/// not reproduced.
/// </remarks>
public sealed class FcosTargets
{
    private const float Infinity = 100_000_000f;
    private static readonly Scalar InfiniteArea = Scalars.Of(Infinity);
    private const long ChunkElements = 1L << 21;
    private readonly int[] strides;
    private readonly (float Low, float High)[] ranges;

    /// <param name="strides">Stride of each level (8, 16, 32, 64, 128 for P3–P7).</param>
    /// <param name="sizesOfInterest">Upper bounds of all levels but the last (64, 128, 256, 512); the first
    /// level starts at −1 and the last ends at 1e8, as centermask2.</param>
    /// <param name="numClasses">Foreground classes; the label <paramref name="numClasses"/> means background.</param>
    /// <param name="centerSampling">Restrict positives to the centre region (CENTER_SAMPLE True).</param>
    /// <param name="radius">Centre region half-size in strides (POS_RADIUS 1.5).</param>
    public FcosTargets(IReadOnlyList<int> strides, IReadOnlyList<float> sizesOfInterest, int numClasses, bool centerSampling = true, double radius = 1.5)
    {
        ArgumentNullException.ThrowIfNull(strides);
        ArgumentNullException.ThrowIfNull(sizesOfInterest);
        if (sizesOfInterest.Count != strides.Count - 1)
        {
            throw new ArgumentException($"FCOS targets: {strides.Count} levels need {strides.Count - 1} sizes of interest, got {sizesOfInterest.Count}.", nameof(sizesOfInterest));
        }

        this.strides = [.. strides];
        ranges = new (float, float)[strides.Count];
        var previous = -1f;
        for (var i = 0; i < strides.Count; i++)
        {
            var high = i < sizesOfInterest.Count ? sizesOfInterest[i] : Infinity;
            ranges[i] = (previous, high);
            previous = high;
        }

        NumClasses = numClasses;
        CenterSampling = centerSampling;
        Radius = radius;
    }

    /// <summary>Foreground classes; also the background label.</summary>
    public int NumClasses { get; }

    /// <summary>Whether positives are restricted to the centre region.</summary>
    public bool CenterSampling { get; }

    /// <summary>Centre region half-size in strides.</summary>
    public double Radius { get; }

    /// <summary>
    /// Use the dense [locations × boxes] assignment even with centre sampling (for tests comparing the two
    /// paths; the sparse one is exact and much faster).
    /// </summary>
    internal bool ForceDense { get; init; }

    /// <summary>Size range [low, high] of each level.</summary>
    public IReadOnlyList<(float Low, float High)> Ranges => ranges;

    /// <summary>
    /// Image coordinates of a level's locations, row-major like the feature map:
    /// [H·W, 2] float32 (x, y) with x = col·s + s//2 and y = row·s + s//2.
    /// </summary>
    public static Tensor Locations(long height, long width, int stride, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var xs = HeldArithmetic.Range(0, width * stride, stride, ScalarType.Float32, device);
        var ys = HeldArithmetic.Range(0, height * stride, stride, ScalarType.Float32, device);
        var grid = meshgrid([ys, xs], indexing: "ij");
        var locations = stack([grid[1].reshape(-1), grid[0].reshape(-1)], 1).Plus(stride / 2);
        return locations.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Targets of one image for feature maps of <paramref name="levelShapes"/> (H, W per level).
    /// </summary>
    /// <param name="levelShapes">(H, W) of each level, in stride order.</param>
    /// <param name="boxes">Ground-truth boxes [G, 4] (x1, y1, x2, y2) in input-image pixels.</param>
    /// <param name="classes">Class of each box [G] (int64, 0-based).</param>
    public FcosImageTargets Compute(IReadOnlyList<(long Height, long Width)> levelShapes, Tensor boxes, Tensor classes)
    {
        ArgumentNullException.ThrowIfNull(levelShapes);
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(classes);
        if (levelShapes.Count != strides.Length)
        {
            throw new ArgumentException($"FCOS targets: built for {strides.Length} levels, got {levelShapes.Count} feature maps.", nameof(levelShapes));
        }

        if (boxes.dim() != 2 || boxes.shape[1] != 4 || classes.dim() != 1 || classes.shape[0] != boxes.shape[0])
        {
            throw new ArgumentException($"FCOS targets: boxes must be [G, 4] and classes [G]; got [{string.Join(", ", boxes.shape)}] and [{string.Join(", ", classes.shape)}].");
        }

        using var scope = NewDisposeScope();
        var device = boxes.device;
        var counts = levelShapes.Select(s => s.Height * s.Width).ToArray();
        var perLocation = (Func<int, float> value) =>
            cat(counts.Select((n, l) => HeldArithmetic.Full(n, value(l), ScalarType.Float32, device)).ToArray(), 0);
        var stride = perLocation(l => strides[l]);
        var levels = cat(counts.Select((n, l) => HeldArithmetic.Full(n, l, ScalarType.Int64, device)).ToArray(), 0);
        var total = counts.Sum();
        var count = boxes.shape[0];

        Tensor labels;
        Tensor regression;
        if (count == 0)
        {
            labels = HeldArithmetic.Full(total, NumClasses, ScalarType.Int64, device);
            regression = zeros(total, 4, dtype: ScalarType.Float32, device: device);
        }
        else if (CenterSampling && !ForceDense)
        {
            (labels, regression) = AssignSparse(levelShapes, counts, boxes.to_type(ScalarType.Float32), classes, total);
        }
        else
        {
            var locations = cat(levelShapes.Select((s, l) => Locations(s.Height, s.Width, strides[l], device)).ToArray(), 0);
            var low = perLocation(l => ranges[l].Low);
            var high = perLocation(l => ranges[l].High);
            var box = boxes.to_type(ScalarType.Float32);
            var area = ((box[.., 2] - box[.., 0]) * (box[.., 3] - box[.., 1])).unsqueeze(0);
            var chunk = Math.Max(1, ChunkElements / count);
            var labelParts = new List<Tensor>();
            var regressionParts = new List<Tensor>();
            for (long start = 0; start < total; start += chunk)
            {
                var end = Math.Min(total, start + chunk);
                var length = end - start;
                var (l, r) = AssignChunk(locations.narrow(0, start, length), stride.narrow(0, start, length), low.narrow(0, start, length), high.narrow(0, start, length), box, area, classes);
                labelParts.Add(l);
                regressionParts.Add(r);
            }

            labels = cat(labelParts, 0);
            regression = cat(regressionParts, 0);
        }

        // Regression targets in units of each level's stride, as the head predicts them.
        regression = regression / stride.unsqueeze(1);
        return new FcosImageTargets(labels.MoveToOuterDisposeScope(), regression.MoveToOuterDisposeScope(), levels.MoveToOuterDisposeScope(), counts);
    }

    // With centre sampling a box can only claim the few grid points strictly inside its centre region
    // (an open interval of at most 2·radius strides per axis), so each box is paired with a
    // window of ⌈2·radius⌉ + 1 points per axis on each level instead of with every location. The tests
    // the dense path applies are then evaluated on those pairs with the same float operations, and
    // each location keeps its smallest-area box (lowest box index on equal areas, like argmin).
    private (Tensor Labels, Tensor Regression) AssignSparse(IReadOnlyList<(long Height, long Width)> levelShapes, long[] counts, Tensor box, Tensor classes, long total)
    {
        var device = box.device;
        var window = (long)Math.Ceiling(2 * Radius) + 1;
        var steps = HeldArithmetic.Range(window, ScalarType.Int64, device);
        var x1 = box[.., 0].reshape(-1, 1, 1);
        var y1 = box[.., 1].reshape(-1, 1, 1);
        var x2 = box[.., 2].reshape(-1, 1, 1);
        var y2 = box[.., 3].reshape(-1, 1, 1);
        var area = ((box[.., 2] - box[.., 0]) * (box[.., 3] - box[.., 1]));
        var cx = x1.Plus(x2).Over(2);
        var cy = y1.Plus(y2).Over(2);
        var locationParts = new List<Tensor>();
        var boxParts = new List<Tensor>();
        var regressionParts = new List<Tensor>();
        long offset = 0;
        for (var level = 0; level < strides.Length; level++)
        {
            var s = strides[level];
            var half = s / 2;
            var (height, width) = levelShapes[level];
            var radius = HeldArithmetic.Full(1, s, ScalarType.Float32, device).Times((float)Radius);
            var lowX = maximum(cx - radius, x1);
            var lowY = maximum(cy - radius, y1);
            var highX = minimum(cx.Plus(radius), x2);
            var highY = minimum(cy.Plus(radius), y2);
            // First grid index strictly right of / below the region's start.
            var firstX = lowX.Minus(half).Over(s).floor().to_type(ScalarType.Int64).Plus(1);
            var firstY = lowY.Minus(half).Over(s).floor().to_type(ScalarType.Int64).Plus(1);
            var jx = firstX.Plus(steps.reshape(1, 1, -1)).expand(-1, window, -1);
            var jy = firstY.Plus(steps.reshape(1, -1, 1)).expand(-1, -1, window);
            var xs = jx.Times(s).Plus(half).to_type(ScalarType.Float32);
            var ys = jy.Times(s).Plus(half).to_type(ScalarType.Float32);
            var onGrid = jx.AtLeast(0) & jx.Below(width) & jy.AtLeast(0) & jy.Below(height);
            var inside = minimum(minimum(xs - lowX, ys - lowY), minimum(highX - xs, highY - ys)).Above(0);
            var left = xs - x1;
            var top = ys - y1;
            var right = x2 - xs;
            var bottom = y2 - ys;
            var reach = maximum(maximum(left, top), maximum(right, bottom));
            var inRange = reach.AtLeast(ranges[level].Low) & reach.AtMost(ranges[level].High);
            var hits = (onGrid & inside & inRange).nonzero();
            if (hits.shape[0] > 0)
            {
                var flat = hits[.., 0].Times(window).Plus(hits[.., 1]).Times(window).Plus(hits[.., 2]);
                var pick = (Tensor t) => t.reshape(-1).index_select(0, flat);
                locationParts.Add(pick(jy).Times(width).Plus(offset).Plus(pick(jx)));
                boxParts.Add(hits[.., 0]);
                regressionParts.Add(stack([pick(left), pick(top), pick(right), pick(bottom)], 1));
            }

            offset += counts[level];
        }

        var labels = HeldArithmetic.Full(total, NumClasses, ScalarType.Int64, device);
        var regression = zeros(total, 4, dtype: ScalarType.Float32, device: device);
        if (locationParts.Count == 0)
        {
            return (labels, regression);
        }

        var location = cat(locationParts, 0);
        var boxIndex = cat(boxParts, 0);
        var targets = cat(regressionParts, 0);
        // Lexicographic order (location, area, box index) by stable sorts from the last key to the first.
        var order = boxIndex.sort(0, false, true).Indices;
        order = order.index_select(0, area.index_select(0, boxIndex.index_select(0, order)).sort(0, false, true).Indices);
        order = order.index_select(0, location.index_select(0, order).sort(0, false, true).Indices);
        var sortedLocation = location.index_select(0, order);
        var first = ones_like(sortedLocation, dtype: ScalarType.Bool);
        if (sortedLocation.shape[0] > 1)
        {
            first[1..] = sortedLocation[1..] != sortedLocation[..^1];
        }

        var winners = order.masked_select(first);
        var winnerLocations = location.index_select(0, winners);
        labels.index_copy_(0, winnerLocations, classes.to_type(ScalarType.Int64).index_select(0, boxIndex.index_select(0, winners)));
        regression.index_copy_(0, winnerLocations, targets.index_select(0, winners));
        return (labels, regression);
    }

    private (Tensor Labels, Tensor Regression) AssignChunk(Tensor locations, Tensor stride, Tensor low, Tensor high, Tensor box, Tensor area, Tensor classes)
    {
        var xs = locations[.., 0].unsqueeze(1);
        var ys = locations[.., 1].unsqueeze(1);
        var x1 = box[.., 0].unsqueeze(0);
        var y1 = box[.., 1].unsqueeze(0);
        var x2 = box[.., 2].unsqueeze(0);
        var y2 = box[.., 3].unsqueeze(0);
        var left = xs - x1;
        var top = ys - y1;
        var right = x2 - xs;
        var bottom = y2 - ys;

        Tensor inside;
        if (CenterSampling)
        {
            var radius = stride.Times((float)Radius).unsqueeze(1);
            var cx = x1.Plus(x2).Over(2);
            var cy = y1.Plus(y2).Over(2);
            var cx1 = maximum(cx - radius, x1);
            var cy1 = maximum(cy - radius, y1);
            var cx2 = minimum(cx.Plus(radius), x2);
            var cy2 = minimum(cy.Plus(radius), y2);
            inside = minimum(minimum(xs - cx1, ys - cy1), minimum(cx2 - xs, cy2 - ys)).Above(0);
        }
        else
        {
            inside = minimum(minimum(left, top), minimum(right, bottom)).Above(0);
        }

        var reach = maximum(maximum(left, top), maximum(right, bottom));
        var inRange = (reach >= low.unsqueeze(1)) & (reach <= high.unsqueeze(1));
        var candidates = where(inside & inRange, area.expand(xs.shape[0], -1), full(1, 1, InfiniteArea, dtype: ScalarType.Float32, device: box.device));
        var (minArea, index) = candidates.min(1);
        var labels = classes.to_type(ScalarType.Int64).index_select(0, index);
        using var background = Scalars.Of(NumClasses);
        labels = where(minArea.eq(InfiniteArea), full_like(labels, background), labels);
        var pick = index.unsqueeze(1);
        var regression = stack([
            left.gather(1, pick).squeeze(1), top.gather(1, pick).squeeze(1),
            right.gather(1, pick).squeeze(1), bottom.gather(1, pick).squeeze(1)], 1);
        return (labels, regression);
    }
}

/// <summary>
/// FCOS targets of one image, over all locations of all levels concatenated in level order
/// (row-major inside a level), the order <see cref="FcosLoss"/> flattens the head's outputs in.
/// </summary>
/// <param name="Labels">[L] int64: the class, or NumClasses for background.</param>
/// <param name="RegressionTargets">[L, 4] (l, t, r, b) divided by the level's stride (meaningful at positives).</param>
/// <param name="Levels">[L] int64 level index of each location.</param>
/// <param name="LocationsPerLevel">H·W of each level.</param>
public sealed record FcosImageTargets(Tensor Labels, Tensor RegressionTargets, Tensor Levels, IReadOnlyList<long> LocationsPerLevel) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Labels.Dispose();
        RegressionTargets.Dispose();
        Levels.Dispose();
    }
}
