namespace CellSeg.Synthesis;

/// <summary>Progress of a synthetic set: images written so far out of all.</summary>
public readonly record struct SynthesisProgress(int ImagesDone, int ImagesTotal);

/// <summary>What one cell type got in a synthetic set.</summary>
/// <param name="CellType">The cell line.</param>
/// <param name="TargetDensity">Cells asked for per image (the level, or the calibrated cap if lower); with <see cref="SynthesisOptions.RealDensity"/> each image draws its own, and <c>Requested</c> sums them.</param>
/// <param name="Images">Images made.</param>
/// <param name="Requested">Cells asked for over all its images.</param>
/// <param name="Placed">Cells pasted and annotated.</param>
public sealed record SyntheticTypeStats(string CellType, int TargetDensity, int Images, long Requested, long Placed)
{
    /// <summary>Cells that found no acceptable position (overlap rule or visibility) within the attempts allowed.</summary>
    public long Unplaced => Requested - Placed;
}

/// <summary>A written synthetic set: one COCO file and a folder of TIFFs.</summary>
/// <param name="Density">The density level asked for.</param>
/// <param name="AnnotationsPath">The COCO ground truth.</param>
/// <param name="ImagesFolder">The folder holding the images.</param>
/// <param name="ImageFiles">File names of the images, in COCO image-id order.</param>
/// <param name="PerType">Counts per cell type.</param>
public sealed record SyntheticSetResult(int Density, string AnnotationsPath, string ImagesFolder, IReadOnlyList<string> ImageFiles, IReadOnlyList<SyntheticTypeStats> PerType)
{
    /// <summary>Cells pasted and annotated over all images.</summary>
    public long Placed => PerType.Sum(t => t.Placed);

    /// <summary>Cells that could not be placed over all images.</summary>
    public long Unplaced => PerType.Sum(t => t.Unplaced);
}
