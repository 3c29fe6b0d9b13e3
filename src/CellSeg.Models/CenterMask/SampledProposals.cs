namespace CellSeg.Models.CenterMask;

/// <summary>
/// The RoIs sampled from one image for the RoI heads: boxes, the cell each is matched to and its class label.
/// Foreground RoIs come first, as detectron2 orders them.
/// </summary>
/// <param name="Boxes">[S × 4] (x1, y1, x2, y2) in image pixels.</param>
/// <param name="SourceIndex">Index of each RoI among the proposals, then the appended GT boxes (proposal count + GT index).</param>
/// <param name="MatchedGt">Index of the matched cell, or −1 for background.</param>
/// <param name="Classes">Class of the matched cell, or NumClasses for background.</param>
public sealed record SampledProposals(float[] Boxes, int[] SourceIndex, int[] MatchedGt, int[] Classes)
{
    /// <summary>Number of sampled RoIs.</summary>
    public int Count => MatchedGt.Length;

    /// <summary>Positions (into this sample) of the foreground RoIs, the only ones the mask head trains on.</summary>
    public int[] ForegroundPositions() => Enumerable.Range(0, Count).Where(i => MatchedGt[i] >= 0).ToArray();
}
