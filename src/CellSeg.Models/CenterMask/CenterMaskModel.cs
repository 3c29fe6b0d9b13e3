using CellSeg.Models.Weights;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// The whole CenterMask network (centermask2's <c>GeneralizedRCNN</c> with the FCOS proposal generator and
/// <c>CenterROIHeads</c>): VoVNet + FPN, the FCOS head, and SAG-Mask with MaskIoU, built from one
/// <see cref="CenterMaskConfig"/>. Training gives the five named losses; inference gives scored cells with masks in
/// the original image's frame.
/// </summary>
/// <remarks>
/// State-dict layout: <c>backbone.*</c>, <c>proposal_generator.fcos_head.*</c>, <c>roi_heads.mask_head.*</c>,
/// <c>roi_heads.maskiou_head.*</c> — centermask2's keys except the FPN (see <see cref="Centermask2Names"/>).
/// </remarks>
public sealed class CenterMaskModel : Module
{
    private readonly CenterMaskBackbone backbone;
    private readonly ProposalGenerator proposalGenerator;
    private readonly CenterMaskRoiHeads roiHeads;
    private readonly FcosTargets targets;
    private readonly FcosLoss loss;
    private readonly FcosPostProcessor trainProposals;
    private readonly FcosPostProcessor testDetections;

    /// <summary>Builds every part of <paramref name="config"/> with its initial weights (torch's global generator).</summary>
    public CenterMaskModel(CenterMaskConfig config)
        : base(nameof(CenterMaskModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        backbone = config.CreateBackbone();
        proposalGenerator = new ProposalGenerator(config.CreateFcosHead());
        roiHeads = config.CreateRoiHeads();
        targets = config.CreateTargets();
        loss = config.CreateLoss();
        trainProposals = config.CreatePostProcessor(training: true);
        testDetections = config.CreatePostProcessor(training: false);
        register_module("backbone", backbone);
        register_module("proposal_generator", proposalGenerator);
        register_module("roi_heads", roiHeads);
    }

    /// <summary>The hyperparameters the model was built with (saved with its weights).</summary>
    public CenterMaskConfig Config { get; }

    /// <summary>VoVNet + FPN.</summary>
    public CenterMaskBackbone Backbone => backbone;

    /// <summary>The FCOS head.</summary>
    public FcosHead FcosHead => proposalGenerator.Head;

    /// <summary>SAG-Mask and MaskIoU.</summary>
    public CenterMaskRoiHeads RoiHeads => roiHeads;

    /// <summary>
    /// Children are registered by hand under checkpoint names; TorchSharp's reflection registration would add them
    /// again under C# field names.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>
    /// The training losses of one batch (prepared with boxes, classes and polygons): FCOS losses on the dense
    /// targets, then the mask branch on FCOS's own detections (training thresholds and top-k, no gradient through
    /// them, GT boxes appended by the matcher) sampled with <paramref name="random"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An image of the batch has no boxes or no polygons.</exception>
    public CenterMaskLosses Losses(CenterMaskBatch batch, Random random)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(random);
        var count = batch.ImageSizes.Count;
        for (var i = 0; i < count; i++)
        {
            if (batch.Boxes[i] is null || batch.Polygons[i] is null)
            {
                throw new ArgumentException($"CenterMask training: image {i} of the batch has no annotations (boxes and polygons are needed).", nameof(batch));
            }
        }

        using var scope = NewDisposeScope();
        var features = backbone.forward(batch.Images);
        var head = proposalGenerator.Head.forward(features);
        var imageTargets = new List<FcosImageTargets>();
        for (var i = 0; i < count; i++)
        {
            var classes = batch.Classes[i] ?? zeros(batch.Boxes[i]!.shape[0], dtype: ScalarType.Int64);
            imageTargets.Add(targets.Compute(head.LevelShapes, batch.Boxes[i]!, classes));
        }

        var fcos = loss.Compute(head, imageTargets);
        var proposals = trainProposals.Process(head, batch.ImageSizes);
        var roiImages = new List<RoiTrainingImage>();
        for (var i = 0; i < count; i++)
        {
            var (height, width) = batch.ImageSizes[i];
            var gtClasses = batch.Classes[i] is { } c && c.numel() > 0 ? c.to(ScalarType.Int32).cpu().data<int>().ToArray() : new int[batch.Boxes[i]!.shape[0]];
            roiImages.Add(new RoiTrainingImage(
                height,
                width,
                Floats(proposals[i].Boxes),
                Floats(batch.Boxes[i]!),
                gtClasses,
                batch.Polygons[i]!));
        }

        var roi = roiHeads.Losses(features.Take(3).ToArray(), roiImages, random);
        return new CenterMaskLosses(
            fcos.Classification.MoveToOuterDisposeScope(),
            fcos.Localization.MoveToOuterDisposeScope(),
            fcos.Centerness.MoveToOuterDisposeScope(),
            roi.Mask.MoveToOuterDisposeScope(),
            roi.MaskIou.MoveToOuterDisposeScope(),
            fcos.NumPositives,
            roi.ForegroundRois);
    }

    /// <summary>
    /// Cells found in each image of an inference batch (not flipped), best detection first, with the test
    /// thresholds of <see cref="Config"/>: boxes and masks in the original image's pixels.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<InstancePrediction>> Predict(CenterMaskBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Flipped.Any(f => f))
        {
            throw new ArgumentException("CenterMask inference: prepare the batch without flipping.", nameof(batch));
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var features = backbone.forward(batch.Images);
        var head = proposalGenerator.Head.forward(features);
        var detections = testDetections.Process(head, batch.ImageSizes);
        var result = new List<IReadOnlyList<InstancePrediction>>();
        if (detections.All(d => d.Count == 0))
        {
            return batch.ImageSizes.Select(_ => (IReadOnlyList<InstancePrediction>)[]).ToList();
        }

        var masks = roiHeads.Predict(
            features.Take(3).ToArray(),
            detections.Select(d => d.Boxes).ToArray(),
            detections.Select(d => d.Scores).ToArray(),
            detections.Select(d => d.Classes).ToArray(),
            batch.ImageSizes);
        for (var i = 0; i < detections.Count; i++)
        {
            var (height, width) = batch.OriginalSizes[i];
            var d = detections[i];
            var boxes = d.BoxesScaledTo(height, width);
            var rles = MaskPaster.PasteAll(masks[i].Probabilities, boxes, height, width);
            var b = Floats(boxes);
            var scores = Floats(d.Scores);
            var maskScores = Floats(masks[i].MaskScores);
            var classes = d.Count == 0 ? [] : d.Classes.to(ScalarType.Int32).cpu().data<int>().ToArray();
            var cells = new InstancePrediction[rles.Length];
            for (var k = 0; k < cells.Length; k++)
            {
                cells[k] = new InstancePrediction(b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3], classes[k], scores[k], maskScores[k], rles[k]);
            }

            result.Add(cells);
        }

        return result;
    }

    /// <summary>
    /// Every parameter and buffer of the model, our state-dict key → centermask2's checkpoint key (the backbone and
    /// FCOS map of <see cref="CenterMaskParameterNames"/> composed with the RoI heads' of <see cref="CenterMaskRoiHeadNames"/>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Centermask2Names()
    {
        var map = new Dictionary<string, string>(CenterMaskParameterNames.Centermask2Map(backbone, proposalGenerator.Head), StringComparer.Ordinal);
        foreach (var (ours, theirs) in CenterMaskRoiHeadNames.ForMaskHead(roiHeads.MaskHead))
        {
            map[CenterMaskRoiHeadNames.MaskHeadPrefix + ours] = theirs;
        }

        foreach (var (ours, theirs) in CenterMaskRoiHeadNames.ForMaskIouHead(roiHeads.MaskIouHead))
        {
            map[CenterMaskRoiHeadNames.MaskIouHeadPrefix + ours] = theirs;
        }

        return map;
    }

    /// <summary>
    /// The name map for <see cref="WeightLoader"/>: centermask2 checkpoint key → ours, dropping detectron2's
    /// <c>pixel_mean</c>/<c>pixel_std</c> (the normalisation lives in <see cref="CenterMaskInputOptions"/>).
    /// </summary>
    public ParameterNameMap Centermask2Map()
    {
        var map = new ParameterNameMap().Ignore("pixel_mean").Ignore("pixel_std");
        foreach (var (ours, theirs) in Centermask2Names())
        {
            map.Exact(theirs, ours);
        }

        return map;
    }

    private static float[] Floats(Tensor t)
    {
        if (t.numel() == 0)
        {
            return [];
        }

        using var cpu = t.detach().to(ScalarType.Float32, CPU).contiguous();
        return cpu.data<float>().ToArray();
    }

    /// <summary>detectron2's <c>proposal_generator</c>: only its <c>fcos_head</c> holds tensors.</summary>
    private sealed class ProposalGenerator : Module
    {
        public ProposalGenerator(FcosHead head)
            : base("FCOS")
        {
            Head = head;
            register_module("fcos_head", head);
        }

        public FcosHead Head { get; }

        protected override void RegisterComponents()
        {
        }
    }
}
