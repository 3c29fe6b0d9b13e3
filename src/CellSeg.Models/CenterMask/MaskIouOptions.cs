namespace CellSeg.Models.CenterMask;

/// <summary>
/// Shape of the MaskIoU head (centermask2's <c>MaskIoUHead</c>): <c>ROI_MASKIOU_HEAD.NUM_CONV</c> 3×3 convolutions
/// (the last with stride 2) on [RoI features, max-pooled mask], then FC 1024 → FC 1024 → one IoU per class.
/// </summary>
/// <param name="InputChannels">Channels of the pooled RoI features; the head adds one for the mask.</param>
/// <param name="NumConv">3×3 convolutions; the last has stride 2.</param>
/// <param name="ConvDim">Channels of those convolutions.</param>
/// <param name="NumClasses">Foreground classes. LIVECell: 1.</param>
/// <param name="PoolerResolution">Side of the pooled RoI features (14); the FC input is ConvDim × (side/2)².</param>
public sealed record MaskIouOptions(int InputChannels = 128, int NumConv = 2, int ConvDim = 128, int NumClasses = 1, int PoolerResolution = 14)
{
    /// <summary>CenterMask-Lite: 2 convs at 128.</summary>
    public static MaskIouOptions Lite(int numClasses = 1) => new(128, 2, 128, numClasses);

    /// <summary>Full CenterMask (V-99): 4 convs at 256.</summary>
    public static MaskIouOptions Full(int numClasses = 1) => new(256, 4, 256, numClasses);

    /// <summary>Throws when a size is not positive or the resolution is odd.</summary>
    public void Validate()
    {
        if (InputChannels < 1 || NumConv < 1 || ConvDim < 1 || NumClasses < 1 || PoolerResolution < 2 || PoolerResolution % 2 != 0)
        {
            throw new ArgumentException($"invalid MaskIoU options {this}: sizes must be positive, NumConv ≥ 1 and the resolution even");
        }
    }
}
