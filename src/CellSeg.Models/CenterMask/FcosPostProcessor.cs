using CellSeg.Models.Torch;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Turns FCOS head outputs into detections (centermask2 <c>FCOSOutputs.predict_proposals</c>): used
/// for inference and, with the training thresholds, for the mask head's proposals.
/// </summary>
/// <remarks>
/// Per level: candidates are locations/classes with sigmoid(cls) &gt; <see cref="ScoreThreshold"/>
/// (before the centerness multiply, THRESH_WITH_CTR False); at most <see cref="PreNmsTopK"/> of them by
/// sigmoid(cls)·sigmoid(ctr) are kept; boxes are location ∓ distances · stride. Over all levels: score =
/// sqrt(cls · ctr), class-wise NMS at <see cref="NmsThreshold"/>, then the best <see cref="PostNmsTopK"/>.
/// Boxes are clipped to the image after NMS (detectron2 clips in <c>detector_postprocess</c>, after
/// the FCOS NMS). Deviation: centermask2 caps with kthvalue and keeps every tie of the k-th score, so
/// it can return a few more than k; this returns exactly k.
/// </remarks>
public sealed class FcosPostProcessor
{
    private readonly int[] strides;

    /// <param name="strides">Stride of each level (8…128).</param>
    /// <param name="scoreThreshold">INFERENCE_TH (0.05).</param>
    /// <param name="preNmsTopK">Candidates kept per level before NMS (LIVECell: 4000 test, 2000 train).</param>
    /// <param name="nmsThreshold">NMS_TH (0.6).</param>
    /// <param name="postNmsTopK">Detections kept per image (LIVECell: 3000 test, 15000 train).</param>
    public FcosPostProcessor(IReadOnlyList<int> strides, float scoreThreshold, int preNmsTopK, float nmsThreshold, int postNmsTopK)
    {
        ArgumentNullException.ThrowIfNull(strides);
        if (preNmsTopK <= 0 || postNmsTopK <= 0)
        {
            throw new ArgumentException("FCOS post-processing: top-k values must be positive.");
        }

        this.strides = [.. strides];
        ScoreThreshold = scoreThreshold;
        PreNmsTopK = preNmsTopK;
        NmsThreshold = nmsThreshold;
        PostNmsTopK = postNmsTopK;
    }

    /// <summary>Minimum sigmoid(cls) of a candidate.</summary>
    public float ScoreThreshold { get; }

    /// <summary>Candidates kept per level before NMS.</summary>
    public int PreNmsTopK { get; }

    /// <summary>IoU above which a lower-scoring box of the same class is dropped.</summary>
    public float NmsThreshold { get; }

    /// <summary>Detections kept per image.</summary>
    public int PostNmsTopK { get; }

    /// <summary>Detections for every image of the batch.</summary>
    /// <param name="head">The head's outputs for the batch.</param>
    /// <param name="imageSizes">(height, width) of each image before padding: boxes are clipped to it.</param>
    public IReadOnlyList<Detections> Process(FcosHeadOutput head, IReadOnlyList<(int Height, int Width)> imageSizes)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(imageSizes);
        if (head.Logits.Length != strides.Length)
        {
            throw new ArgumentException($"FCOS post-processing: built for {strides.Length} levels, got {head.Logits.Length}.", nameof(head));
        }

        if (imageSizes.Count != head.Logits[0].shape[0])
        {
            throw new ArgumentException($"FCOS post-processing: {head.Logits[0].shape[0]} images but {imageSizes.Count} image sizes.", nameof(imageSizes));
        }

        using var noGrad = no_grad();
        var results = new List<Detections>();
        for (var n = 0; n < imageSizes.Count; n++)
        {
            results.Add(ProcessImage(head, n, imageSizes[n]));
        }

        return results;
    }

    private Detections ProcessImage(FcosHeadOutput head, int n, (int Height, int Width) size)
    {
        using var scope = NewDisposeScope();
        var boxes = new List<Tensor>();
        var scores = new List<Tensor>();
        var classes = new List<Tensor>();
        var levels = new List<Tensor>();
        for (var l = 0; l < strides.Length; l++)
        {
            var logits = head.Logits[l][n];
            var numClasses = logits.shape[0];
            var height = logits.shape[1];
            var width = logits.shape[2];
            var cls = sigmoid(logits).permute(1, 2, 0).reshape(-1, numClasses);
            var ctr = sigmoid(head.Centerness[l][n]).reshape(-1);
            var regression = head.BoxRegression[l][n].permute(1, 2, 0).reshape(-1, 4).Times(strides[l]);
            var candidates = cls.Above(ScoreThreshold).reshape(-1).nonzero().reshape(-1);
            if (candidates.shape[0] == 0)
            {
                continue;
            }

            var score = (cls * ctr.unsqueeze(1)).reshape(-1).index_select(0, candidates);
            if (candidates.shape[0] > PreNmsTopK)
            {
                var (top, index) = score.topk(PreNmsTopK);
                score = top;
                candidates = candidates.index_select(0, index);
            }

            using var classCount = Scalars.Of(numClasses);
            var location = candidates.div(classCount, rounding_mode: RoundingMode.floor);
            var cl = candidates.remainder(classCount);
            var points = FcosTargets.Locations(height, width, strides[l], logits.device).index_select(0, location);
            var distances = regression.index_select(0, location);
            boxes.Add(stack([
                points[.., 0] - distances[.., 0], points[.., 1] - distances[.., 1],
                points[.., 0].Plus(distances[.., 2]), points[.., 1].Plus(distances[.., 3])], 1));
            scores.Add(sqrt(score));
            classes.Add(cl);
            using var level = Scalars.Of(l);
            levels.Add(full_like(cl, level));
        }

        if (boxes.Count == 0)
        {
            var device = head.Logits[0].device;
            return new Detections(
                empty(0, 4, device: device).MoveToOuterDisposeScope(), empty(0, device: device).MoveToOuterDisposeScope(),
                empty(0, dtype: ScalarType.Int64, device: device).MoveToOuterDisposeScope(), empty(0, dtype: ScalarType.Int64, device: device).MoveToOuterDisposeScope(),
                size.Height, size.Width);
        }

        var allBoxes = cat(boxes, 0);
        var allScores = cat(scores, 0);
        var allClasses = cat(classes, 0);
        var allLevels = cat(levels, 0);
        var keep = BoxOps.BatchedNms(allBoxes, allScores, allClasses, NmsThreshold);
        if (keep.shape[0] > PostNmsTopK)
        {
            keep = keep[..PostNmsTopK];
        }

        var kept = allBoxes.index_select(0, keep);
        var clipped = stack([
            kept[.., 0].ClampTo(0, size.Width), kept[.., 1].ClampTo(0, size.Height),
            kept[.., 2].ClampTo(0, size.Width), kept[.., 3].ClampTo(0, size.Height)], 1);
        return new Detections(
            clipped.MoveToOuterDisposeScope(),
            allScores.index_select(0, keep).MoveToOuterDisposeScope(),
            allClasses.index_select(0, keep).MoveToOuterDisposeScope(),
            allLevels.index_select(0, keep).MoveToOuterDisposeScope(),
            size.Height,
            size.Width);
    }
}
