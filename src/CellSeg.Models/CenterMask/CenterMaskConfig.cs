using System.Text.Json.Serialization;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Every hyperparameter of CenterMask's backbone, FCOS and input stages in one commented place, with
/// the defaults of centermask2's Lite slim-DW config (<c>centermask_lite_V_19_slim_dw_eSE_FPN_ms_4x.yaml</c>
/// + its Lite base + centermask2/detectron2 defaults) and the LIVECell authors' V-99 preset
/// (<see cref="LivecellV99"/>, <c>model/anchor_free/livecell_config.yaml</c>).
/// </summary>
/// <remarks>
/// Deviation: the Lite config normalises COCO's BGR images (mean 103.53/116.28/123.675, std 1); the
/// defaults here use LIVECell's grayscale normalisation (mean 128, std 11.578), because every model in
/// this project is trained on LIVECell. Class count is 1 ("cell", LIVECell's setting), not COCO's 80.
/// </remarks>
public sealed record CenterMaskConfig
{
    /// <summary>Backbone shape (MODEL.VOVNET.CONV_BODY): V-19-slim-dw-eSE.</summary>
    public VoVNetSpec Backbone { get; init; } = VoVNetSpec.V19SlimDwEse;

    /// <summary>FPN.OUT_CHANNELS: 128 in the Lite base config (detectron2's default 256).</summary>
    public int FpnChannels { get; init; } = 128;

    /// <summary>FCOS.NUM_CLASSES: 1 for LIVECell.</summary>
    public int NumClasses { get; init; } = 1;

    /// <summary>FCOS.NUM_CLS_CONVS = NUM_BOX_CONVS: 2 in the Lite config (default 4).</summary>
    public int FcosTowerConvs { get; init; } = 2;

    /// <summary>GroupNorm groups of the FCOS towers (FCOS.NORM "GN" = GroupNorm(32, C)).</summary>
    public int GroupNormGroups { get; init; } = 32;

    /// <summary>FCOS.FPN_STRIDES of P3–P7.</summary>
    public IReadOnlyList<int> FpnStrides { get; init; } = [8, 16, 32, 64, 128];

    /// <summary>FCOS.SIZES_OF_INTEREST: level ranges [−1,64], [64,128], [128,256], [256,512], [512,1e8].</summary>
    public IReadOnlyList<float> SizesOfInterest { get; init; } = [64, 128, 256, 512];

    /// <summary>FCOS.PRIOR_PROB: initial foreground probability (class bias −log 99).</summary>
    public double PriorProbability { get; init; } = 0.01;

    /// <summary>FCOS.CENTER_SAMPLE.</summary>
    public bool CenterSampling { get; init; } = true;

    /// <summary>FCOS.POS_RADIUS, in strides.</summary>
    public double PositiveRadius { get; init; } = 1.5;

    /// <summary>FCOS.LOSS_ALPHA of the focal loss.</summary>
    public double FocalAlpha { get; init; } = 0.25;

    /// <summary>FCOS.LOSS_GAMMA of the focal loss.</summary>
    public double FocalGamma { get; init; } = 2.0;

    /// <summary>FCOS.INFERENCE_TH_TRAIN on sigmoid(cls) for training proposals.</summary>
    public float ScoreThresholdTrain { get; init; } = 0.05f;

    /// <summary>FCOS.INFERENCE_TH_TEST on sigmoid(cls): the score a detection needs at inference.</summary>
    public float ScoreThreshold { get; init; } = 0.05f;

    /// <summary>FCOS.PRE_NMS_TOPK_TRAIN, per level.</summary>
    public int PreNmsTopKTrain { get; init; } = 1000;

    /// <summary>FCOS.PRE_NMS_TOPK_TEST, per level, at inference.</summary>
    public int PreNmsTopK { get; init; } = 1000;

    /// <summary>FCOS.POST_NMS_TOPK_TRAIN, per image.</summary>
    public int PostNmsTopKTrain { get; init; } = 100;

    /// <summary>FCOS.POST_NMS_TOPK_TEST, per image at inference: 50 in the Lite base config; the only real cap on detections.</summary>
    public int PostNmsTopK { get; init; } = 50;

    // Model files written before the glossary's renames name the inference values after detectron2's *_TEST keys; they
    // are read into today's properties (never written: a getter of null is skipped by the model file's JSON options).
    [JsonInclude, JsonPropertyName("scoreThresholdTest")]
    private float? FormerScoreThresholdTest { get => null; init => ScoreThreshold = value ?? ScoreThreshold; }

    [JsonInclude, JsonPropertyName("preNmsTopKTest")]
    private int? FormerPreNmsTopKTest { get => null; init => PreNmsTopK = value ?? PreNmsTopK; }

    [JsonInclude, JsonPropertyName("postNmsTopKTest")]
    private int? FormerPostNmsTopKTest { get => null; init => PostNmsTopK = value ?? PostNmsTopK; }

    /// <summary>FCOS.NMS_TH (class-wise).</summary>
    public float NmsThreshold { get; init; } = 0.6f;

    /// <summary>Input normalisation and resizing.</summary>
    public CenterMaskInputOptions Input { get; init; } = new();

    /// <summary>ROI_MASK_HEAD.NUM_CONV: 3×3 convs of SAG-Mask (2 Lite, 4 full).</summary>
    public int MaskHeadConvs { get; init; } = 2;

    /// <summary>ROI_MASK_HEAD.CONV_DIM: channels of SAG-Mask's convs and deconv (128 Lite, 256 full).</summary>
    public int MaskHeadChannels { get; init; } = 128;

    /// <summary>ROI_MASKIOU_HEAD.NUM_CONV: 3×3 convs of the MaskIoU head (2 Lite, 4 full).</summary>
    public int MaskIouConvs { get; init; } = 2;

    /// <summary>ROI_MASKIOU_HEAD.CONV_DIM: channels of the MaskIoU head's convs (128 Lite, 256 full).</summary>
    public int MaskIouChannels { get; init; } = 128;

    /// <summary>MASKIOU_LOSS_WEIGHT.</summary>
    public double MaskIouLossWeight { get; init; } = 1.0;

    /// <summary>ROI_HEADS.BATCH_SIZE_PER_IMAGE: proposals sampled per image for the mask branch (LIVECell: 3000).</summary>
    public int RoiBatchSizePerImage { get; init; } = 512;

    /// <summary>ROI_HEADS.POSITIVE_FRACTION: at most this share of the sampled proposals is foreground.</summary>
    public double RoiPositiveFraction { get; init; } = 0.25;

    /// <summary>ROI_HEADS.IOU_THRESHOLDS: a proposal is foreground from this IoU with a cell.</summary>
    public double RoiIouThreshold { get; init; } = 0.5;

    /// <summary>
    /// The LIVECell authors' anchor-free model: V-99-eSE, FPN 256, 4-conv towers, thousands of detections
    /// per image, LIVECell's training sizes and detectron2's test size (short side 800, max 1333).
    /// </summary>
    public static CenterMaskConfig LivecellV99 { get; } = new()
    {
        Backbone = VoVNetSpec.V99Ese,
        FpnChannels = 256,
        FcosTowerConvs = 4,
        PreNmsTopKTrain = 2000,
        PreNmsTopK = 4000,
        PostNmsTopKTrain = 15000,
        PostNmsTopK = 3000,
        MaskHeadConvs = 4,
        MaskHeadChannels = 256,
        MaskIouConvs = 4,
        MaskIouChannels = 256,
        RoiBatchSizePerImage = 3000,
        Input = new CenterMaskInputOptions
        {
            MinSizeTrain = [440, 480, 520, 560, 580, 620],
            MaxSizeTrain = 1333,
            MinSizeTest = 800,
            MaxSizeTest = 1333,
        },
    };

    /// <summary>
    /// This config with other input sizes: <paramref name="trainSizes"/> replaces <see cref="CenterMaskInputOptions.MinSizeTrain"/>
    /// unless null or empty (<c>[0]</c> trains at the image size), <paramref name="testSize"/> replaces
    /// <see cref="CenterMaskInputOptions.MinSizeTest"/> unless null (0 keeps the image size); the rest is unchanged.
    /// </summary>
    public CenterMaskConfig WithInputSizes(IReadOnlyList<int>? trainSizes, int? testSize) => this with
    {
        Input = Input with
        {
            MinSizeTrain = trainSizes is { Count: > 0 } sizes ? sizes : Input.MinSizeTrain,
            MinSizeTest = testSize ?? Input.MinSizeTest,
        },
    };

    /// <summary>The backbone (VoVNet + FPN) of this config.</summary>
    public CenterMaskBackbone CreateBackbone() => new(Backbone, FpnChannels);

    /// <summary>The FCOS head of this config.</summary>
    public FcosHead CreateFcosHead() => new(FpnChannels, NumClasses, FcosTowerConvs, FpnStrides.Count, PriorProbability, GroupNormGroups);

    /// <summary>The FCOS target assigner of this config.</summary>
    public FcosTargets CreateTargets() => new(FpnStrides, SizesOfInterest, NumClasses, CenterSampling, PositiveRadius);

    /// <summary>The FCOS losses of this config.</summary>
    public FcosLoss CreateLoss() => new(NumClasses, FocalAlpha, FocalGamma);

    /// <summary>Post-processing with the training (proposal) or test thresholds.</summary>
    public FcosPostProcessor CreatePostProcessor(bool training) => training
        ? new(FpnStrides, ScoreThresholdTrain, PreNmsTopKTrain, NmsThreshold, PostNmsTopKTrain)
        : new(FpnStrides, ScoreThreshold, PreNmsTopK, NmsThreshold, PostNmsTopK);

    /// <summary>
    /// The RoI heads of this config: SAG-Mask and MaskIoU on P3–P5 (strides 8, 16, 32) pooled at 14×14, proposals
    /// sampled as detectron2's ROI_HEADS settings with the GT boxes appended.
    /// </summary>
    public CenterMaskRoiHeads CreateRoiHeads() => new(
        new SagMaskOptions(FpnChannels, MaskHeadConvs, MaskHeadChannels, NumClasses),
        new MaskIouOptions(FpnChannels, MaskIouConvs, MaskIouChannels, NumClasses),
        new MultiLevelRoiPooler(FpnStrides.Take(3).ToArray()),
        new ProposalMatcherOptions(NumClasses, RoiIouThreshold, RoiBatchSizePerImage, RoiPositiveFraction, AppendGroundTruth: true),
        MaskIouLossWeight);

    /// <summary>The input preparation of this config.</summary>
    public CenterMaskInput CreateInput() => new(Input);
}
