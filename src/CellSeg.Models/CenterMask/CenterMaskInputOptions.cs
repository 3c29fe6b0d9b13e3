namespace CellSeg.Models.CenterMask;

/// <summary>
/// How images become a CenterMask batch: normalisation, shortest-edge resize (detectron2
/// <c>ResizeShortestEdge</c>), horizontal flip and padding. Defaults: LIVECell's normalisation and the
/// Lite slim-DW config's sizes.
/// </summary>
public sealed record CenterMaskInputOptions
{
    /// <summary>PIXEL_MEAN (LIVECell: 128 on every channel).</summary>
    public float PixelMean { get; init; } = 128f;

    /// <summary>PIXEL_STD (LIVECell: 11.578 on every channel).</summary>
    public float PixelStd { get; init; } = 11.578f;

    /// <summary>INPUT.MIN_SIZE_TRAIN: short-side choices in training (sampling "choice"); Lite: 580, 600.</summary>
    public IReadOnlyList<int> MinSizeTrain { get; init; } = [580, 600];

    /// <summary>INPUT.MAX_SIZE_TRAIN: cap on the long side in training.</summary>
    public int MaxSizeTrain { get; init; } = 1000;

    /// <summary>INPUT.MIN_SIZE_TEST: short side at test time; 0 keeps the image size.</summary>
    public int MinSizeTest { get; init; } = 600;

    /// <summary>INPUT.MAX_SIZE_TEST: cap on the long side at test time.</summary>
    public int MaxSizeTest { get; init; } = 1000;

    /// <summary>Random horizontal flip (probability 0.5) in training.</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>Pad height and width up to a multiple of this (the backbone's largest stride).</summary>
    public int SizeDivisibility { get; init; } = 32;
}
