using CellSeg.Models.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// CenterMask's RoI side (centermask2's <c>CenterROIHeads</c> with MASKIOU_ON): training samples proposals, pools
/// the foreground ones from P3–P5, trains SAG-Mask on polygon targets and the MaskIoU head on the IoU of the
/// predicted masks; inference pools the detections, keeps each one's class mask and scores it.
/// </summary>
/// <remarks>
/// Its state-dict keys are <c>mask_head.*</c> and <c>maskiou_head.*</c>; registered in the full model as
/// <c>roi_heads</c>, they are exactly centermask2's checkpoint keys. As in centermask2, the MaskIoU head reads the
/// pooled features, so the FPN width must equal <see cref="MaskIouOptions.InputChannels"/> (128 Lite, 256 full).
/// </remarks>
public sealed class CenterMaskRoiHeads : Module
{
    // Field names are centermask2's attribute names: RegisterComponents turns them into state-dict keys.
    private readonly SagMaskHead mask_head;
    private readonly MaskIouHead maskiou_head;
    private readonly MultiLevelRoiPooler _pooler;
    private readonly ProposalMatcher _matcher;

    /// <summary>Builds the heads; defaults are CenterMask-Lite with one class and detectron2's sampling.</summary>
    public CenterMaskRoiHeads(SagMaskOptions? mask = null, MaskIouOptions? maskIou = null, MultiLevelRoiPooler? pooler = null, ProposalMatcherOptions? matcher = null, double maskIouLossWeight = 1.0)
        : base(nameof(CenterMaskRoiHeads))
    {
        mask_head = new SagMaskHead(mask ?? SagMaskOptions.Lite());
        maskiou_head = new MaskIouHead(maskIou ?? MaskIouOptions.Lite(mask_head.Options.NumClasses));
        _pooler = pooler ?? new MultiLevelRoiPooler();
        _matcher = new ProposalMatcher(matcher ?? new ProposalMatcherOptions(NumClasses: mask_head.Options.NumClasses));
        if (maskiou_head.Options.PoolerResolution != _pooler.OutputSize)
        {
            throw new ArgumentException($"MaskIoU head expects {maskiou_head.Options.PoolerResolution}×{maskiou_head.Options.PoolerResolution} RoIs, the pooler gives {_pooler.OutputSize}");
        }

        MaskIouLossWeight = maskIouLossWeight;
        RegisterComponents();
    }

    /// <summary>The SAG-Mask head.</summary>
    public SagMaskHead MaskHead => mask_head;

    /// <summary>The MaskIoU head.</summary>
    public MaskIouHead MaskIouHead => maskiou_head;

    /// <summary>MASKIOU_LOSS_WEIGHT.</summary>
    public double MaskIouLossWeight { get; }

    /// <summary>
    /// The mask-branch losses of one batch.
    /// </summary>
    /// <param name="features">P3, P4, P5 as [B, C, H, W] (one map per pooler stride).</param>
    /// <param name="images">One entry per image of the batch, in batch order.</param>
    /// <param name="random">The run's seeded generator (proposal sampling).</param>
    public RoiHeadLosses Losses(IReadOnlyList<Tensor> features, IReadOnlyList<RoiTrainingImage> images, Random random)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(images);
        var rois = new List<float>();
        var classes = new List<long>();
        var cells = new List<IReadOnlyList<double[]>>();
        for (var b = 0; b < images.Count; b++)
        {
            var image = images[b];
            if (image.GtPolygons.Count != image.GtClasses.Length)
            {
                throw new ArgumentException($"image {b}: {image.GtClasses.Length} cell classes but {image.GtPolygons.Count} polygon sets");
            }

            var sample = _matcher.Sample(image.Proposals, image.GtBoxes, image.GtClasses, random);
            foreach (var i in sample.ForegroundPositions())
            {
                rois.Add(b);
                rois.AddRange(sample.Boxes.AsSpan(i * 4, 4).ToArray());
                classes.Add(sample.Classes[i]);
                cells.Add(image.GtPolygons[sample.MatchedGt[i]]);
            }
        }

        var device = features[0].device;
        var count = classes.Count;
        using var scope = NewDisposeScope();
        var roiTensor = tensor(rois.ToArray(), [count, 5]);
        var pooled = _pooler.Pool(features, roiTensor, images.Select(i => (i.Height, i.Width)).ToArray());
        var logits = mask_head.forward(pooled);
        if (count == 0)
        {
            var zero = logits.sum().Times(0);
            return new RoiHeadLosses(zero.MoveToOuterDisposeScope(), zero.clone().MoveToOuterDisposeScope(), 0);
        }

        var (masks, ratios) = MaskTargets.Build(cells, roiTensor[TensorIndex.Colon, TensorIndex.Slice(1, 5)], 2 * _pooler.OutputSize);
        masks = masks.to(device);
        var gtClasses = tensor(classes.ToArray(), device: device);
        var maskLoss = MaskHeadLoss.Compute(logits, gtClasses, masks);
        var selected = MaskHeadLoss.SelectClass(logits, gtClasses);
        var iouTargets = MaskIouLoss.Targets(selected, masks, ratios);

        // As centermask2: the MaskIoU head sees the sigmoid of the GT-class logits, not detached.
        var predictedIou = maskiou_head.forward(pooled, selected.sigmoid().unsqueeze(1));
        var iouLoss = MaskIouLoss.Compute(predictedIou, gtClasses, iouTargets, MaskIouLossWeight);
        return new RoiHeadLosses(maskLoss.MoveToOuterDisposeScope(), iouLoss.MoveToOuterDisposeScope(), count);
    }

    /// <summary>
    /// Masks and mask scores for one batch's detections (call under <c>no_grad</c> at inference).
    /// </summary>
    /// <param name="features">P3, P4, P5 as [B, C, H, W].</param>
    /// <param name="boxes">Per image: [N, 4] detection boxes (x1, y1, x2, y2), image pixels.</param>
    /// <param name="scores">Per image: [N] detection scores.</param>
    /// <param name="classes">Per image: [N] predicted classes (int64).</param>
    /// <param name="imageSizes">Per image: (height, width) before padding.</param>
    public IReadOnlyList<RoiMaskPrediction> Predict(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxes, IReadOnlyList<Tensor> scores, IReadOnlyList<Tensor> classes, IReadOnlyList<(int Height, int Width)> imageSizes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(classes);
        if (boxes.Count != scores.Count || boxes.Count != classes.Count || boxes.Count != imageSizes.Count)
        {
            throw new ArgumentException($"per-image lists differ in length: {boxes.Count} box sets, {scores.Count} score sets, {classes.Count} class sets, {imageSizes.Count} sizes");
        }

        using var scope = NewDisposeScope();
        var device = features[0].device;
        var parts = new List<Tensor>();
        for (var b = 0; b < boxes.Count; b++)
        {
            var n = boxes[b].shape[0];
            using var imageIndex = Scalars.Of((float)b);
            parts.Add(cat([full(n, 1, imageIndex, device: device), boxes[b].to(ScalarType.Float32, device)], 1));
        }

        var rois = cat(parts, 0);
        var allClasses = cat(classes.Select(c => c.to(ScalarType.Int64, device)).ToArray(), 0);
        var pooled = _pooler.Pool(features, rois, imageSizes);
        var (probabilities, iou) = MaskHeadsInChunks(pooled, allClasses);
        var maskScores = MaskInference.MaskScores(cat(scores.Select(s => s.to(iou.dtype, device)).ToArray(), 0), iou, allClasses);

        var result = new List<RoiMaskPrediction>();
        long start = 0;
        foreach (var b in boxes)
        {
            var n = b.shape[0];
            result.Add(new RoiMaskPrediction(
                probabilities.narrow(0, start, n).MoveToOuterDisposeScope(),
                maskScores.narrow(0, start, n).MoveToOuterDisposeScope()));
            start += n;
        }

        return result;
    }

    /// <summary>RoIs through the mask and MaskIoU heads at most this many at a time in <see cref="Predict"/>.</summary>
    internal const int PredictChunk = 512;

    // A dispose scope keeps every intermediate tensor until it ends: with LIVECell's 3,000 detections the mask head's
    // 28×28×C activations alone are over 1 GB per layer. Each chunk's scope frees them, keeping only what is returned.
    private (Tensor Probabilities, Tensor Iou) MaskHeadsInChunks(Tensor pooled, Tensor classes)
    {
        var n = pooled.shape[0];
        if (n <= PredictChunk)
        {
            var probabilities = MaskInference.PredictedClassProbabilities(mask_head.forward(pooled), classes);
            return (probabilities, maskiou_head.forward(pooled, probabilities));
        }

        var probabilityParts = new List<Tensor>();
        var iouParts = new List<Tensor>();
        for (long start = 0; start < n; start += PredictChunk)
        {
            var length = Math.Min(PredictChunk, n - start);
            using var chunk = NewDisposeScope();
            var part = pooled.narrow(0, start, length);
            var probabilities = MaskInference.PredictedClassProbabilities(mask_head.forward(part), classes.narrow(0, start, length));
            var iou = maskiou_head.forward(part, probabilities);
            probabilityParts.Add(probabilities.MoveToOuterDisposeScope());
            iouParts.Add(iou.MoveToOuterDisposeScope());
        }

        return (cat(probabilityParts, 0), cat(iouParts, 0));
    }
}
