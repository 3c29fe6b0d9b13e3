namespace CellSeg.Models.CenterMask;

/// <summary>
/// Shape of the SAG-Mask head (centermask2's <c>SpatialAttentionMaskHead</c>): <c>ROI_MASK_HEAD.NUM_CONV</c> 3×3
/// convolutions of <c>CONV_DIM</c> channels on the pooled RoI features, spatial attention, a 2× deconvolution and a
/// per-class 1×1 predictor.
/// </summary>
/// <param name="InputChannels">Channels of the pooled RoI features (the FPN width).</param>
/// <param name="NumConv">3×3 convolutions before the attention.</param>
/// <param name="ConvDim">Channels of those convolutions and of the deconvolution.</param>
/// <param name="NumClasses">Foreground classes; one mask per class (CLS_AGNOSTIC_MASK False). LIVECell: 1.</param>
public sealed record SagMaskOptions(int InputChannels = 128, int NumConv = 2, int ConvDim = 128, int NumClasses = 1)
{
    /// <summary>CenterMask-Lite (V-19-slim-DW): FPN 128, 2 convs at 128.</summary>
    public static SagMaskOptions Lite(int numClasses = 1) => new(128, 2, 128, numClasses);

    /// <summary>Full CenterMask (V-99, the LIVECell authors' model): FPN 256, 4 convs at 256.</summary>
    public static SagMaskOptions Full(int numClasses = 1) => new(256, 4, 256, numClasses);

    /// <summary>Throws when a size is not positive.</summary>
    public void Validate()
    {
        if (InputChannels < 1 || NumConv < 0 || ConvDim < 1 || NumClasses < 1)
        {
            throw new ArgumentException($"invalid SAG-Mask options {this}: channels and classes must be positive, NumConv ≥ 0");
        }
    }
}
