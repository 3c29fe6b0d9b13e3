namespace CellSeg.Models.CenterMask;

/// <summary>
/// How training proposals are labelled and sampled for the mask branch (detectron2 ROI_HEADS settings that
/// CenterMask keeps).
/// </summary>
/// <param name="NumClasses">Foreground classes; background is labelled NumClasses. LIVECell: 1.</param>
/// <param name="IouThreshold">A proposal is foreground when its best IoU with a cell is ≥ this (IOU_THRESHOLDS [0.5]).</param>
/// <param name="BatchSizePerImage">RoIs sampled per image (512; the LIVECell config uses 3000).</param>
/// <param name="PositiveFraction">At most this share of the sample is foreground (0.25).</param>
/// <param name="AppendGroundTruth">Add the GT boxes to the proposals first (PROPOSAL_APPEND_GT True), so early training has positives.</param>
public sealed record ProposalMatcherOptions(
    int NumClasses = 1,
    double IouThreshold = 0.5,
    int BatchSizePerImage = 512,
    double PositiveFraction = 0.25,
    bool AppendGroundTruth = true)
{
    /// <summary>The LIVECell anchor-free config: one class, 3000 RoIs per image.</summary>
    public static ProposalMatcherOptions Livecell => new(BatchSizePerImage: 3000);
}
