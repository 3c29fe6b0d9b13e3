namespace CellSeg.Models.CenterMask;

/// <summary>
/// The shape of a VoVNetV2 backbone, field for field as centermask2's <c>_STAGE_SPECS</c> entries
/// (<c>centermask/modeling/backbone/vovnet.py</c>), so a spec read there can be written here unchanged.
/// </summary>
/// <param name="Name">centermask2's <c>MODEL.VOVNET.CONV_BODY</c> name, e.g. <c>V-19-slim-dw-eSE</c>.</param>
/// <param name="StemChannels">Output channels of the three stem convolutions (strides 2, 1, 2).</param>
/// <param name="StageConvChannels">Width of the 3×3 layers inside the OSA modules of stages 2–5.</param>
/// <param name="StageOutChannels">Output (concat) channels of stages 2–5.</param>
/// <param name="LayersPerBlock">3×3 layers per OSA module.</param>
/// <param name="BlocksPerStage">OSA modules in each of stages 2–5; the 2nd and later get a residual.</param>
/// <param name="Depthwise">Depthwise-separable 3×3 layers (with a 1×1 reduction when widths differ).</param>
public sealed record VoVNetSpec(
    string Name,
    IReadOnlyList<int> StemChannels,
    IReadOnlyList<int> StageConvChannels,
    IReadOnlyList<int> StageOutChannels,
    int LayersPerBlock,
    IReadOnlyList<int> BlocksPerStage,
    bool Depthwise)
{
    /// <summary>VoVNetV2-19-slim-DW-eSE, CenterMask-Lite's backbone and the paper's model (default here).</summary>
    public static VoVNetSpec V19SlimDwEse { get; } = new(
        "V-19-slim-dw-eSE", [64, 64, 64], [64, 80, 96, 112], [112, 256, 384, 512], 3, [1, 1, 1, 1], true);

    /// <summary>VoVNetV2-39-eSE (CenterMask V-39).</summary>
    public static VoVNetSpec V39Ese { get; } = new(
        "V-39-eSE", [64, 64, 128], [128, 160, 192, 224], [256, 512, 768, 1024], 5, [1, 1, 2, 2], false);

    /// <summary>VoVNetV2-99-eSE, the backbone of the LIVECell authors' anchor-free oracle.</summary>
    public static VoVNetSpec V99Ese { get; } = new(
        "V-99-eSE", [64, 64, 128], [128, 160, 192, 224], [256, 512, 768, 1024], 5, [1, 3, 9, 3], false);

    /// <summary>The specs by centermask2 name.</summary>
    public static IReadOnlyList<VoVNetSpec> All { get; } = [V19SlimDwEse, V39Ese, V99Ese];

    /// <summary>Channels of the returned features stage3, stage4, stage5 (strides 8, 16, 32).</summary>
    public IReadOnlyList<int> OutFeatureChannels => [StageOutChannels[1], StageOutChannels[2], StageOutChannels[3]];

    /// <summary>Throws when the spec cannot describe a VoVNet (wrong list lengths, non-positive widths).</summary>
    public void Validate()
    {
        if (StemChannels.Count != 3 || StageConvChannels.Count != 4 || StageOutChannels.Count != 4 || BlocksPerStage.Count != 4)
        {
            throw new ArgumentException($"VoVNet spec '{Name}': needs 3 stem widths and 4 entries per stage list.");
        }

        if (LayersPerBlock <= 0 || StemChannels.Concat(StageConvChannels).Concat(StageOutChannels).Any(c => c <= 0)
            || BlocksPerStage.Any(b => b <= 0))
        {
            throw new ArgumentException($"VoVNet spec '{Name}': widths, layers and blocks must be positive.");
        }
    }
}
