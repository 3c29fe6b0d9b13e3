using CellSeg.Models.CenterMask;

namespace CellSeg.Models.Tests.CenterMask;

/// <summary>A CenterMask with a few channels everywhere, small enough to train in seconds on two cores.</summary>
internal static class TinyCenterMask
{
    public static VoVNetSpec Spec { get; } = new("tiny-dw-eSE", [8, 8, 8], [8, 8, 16, 16], [16, 16, 32, 32], 2, [1, 1, 1, 1], true);

    public static CenterMaskConfig Config { get; } = new()
    {
        Backbone = Spec,
        FpnChannels = 16,
        FcosTowerConvs = 1,
        GroupNormGroups = 4,
        MaskHeadConvs = 1,
        MaskHeadChannels = 8,
        MaskIouConvs = 1,
        MaskIouChannels = 8,
        RoiBatchSizePerImage = 64,
        PostNmsTopKTrain = 50,
        PostNmsTopK = 100,
        Input = new CenterMaskInputOptions { MinSizeTrain = [64], MaxSizeTrain = 200, MinSizeTest = 64, MaxSizeTest = 200 },
    };
}
