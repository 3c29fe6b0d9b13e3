using System.Text.Json.Serialization;

namespace CellSeg.Synthesis.Diagnostics;

/// <summary>What <see cref="SyntheticDiagnostics"/> measured, per cell type, real against synthetic.</summary>
/// <param name="HaloRadius">The halo profile runs from −HaloRadius (inside a cell) to +HaloRadius (outside) pixels.</param>
/// <param name="FarBackground">Background statistics use pixels at least this far (pixels) from every cell.</param>
/// <param name="SyntheticFraction">The share of training crops asked to come from synthetic images; null: the sampler draws images uniformly.</param>
/// <param name="SyntheticCropShare">The share of training crops the sampler draws from synthetic images, all cell types together.</param>
/// <param name="CellTypes">One entry per cell type that has real or synthetic images.</param>
public sealed record DiagnosticsReport(int HaloRadius, int FarBackground, double? SyntheticFraction, double SyntheticCropShare, IReadOnlyList<CellTypeDiagnostics> CellTypes);

/// <summary>One cell type: the statistics of its real and of its synthetic images and the distances between them.</summary>
/// <param name="CellType">The cell type.</param>
/// <param name="Real">Its real images.</param>
/// <param name="Synthetic">Its synthetic images.</param>
/// <param name="HistogramDistance">Earth mover's (Wasserstein-1) distance between the two intensity histograms of all pixels, in gray levels.</param>
/// <param name="CellHistogramDistance">The same over cell pixels only.</param>
/// <param name="BackgroundHistogramDistance">The same over far-background pixels only.</param>
/// <param name="HaloDistance">Root-mean-square difference of the two halo profiles, in gray levels.</param>
/// <param name="SyntheticCropShare">The share of this type's training crops the sampler draws from synthetic images.</param>
public sealed record CellTypeDiagnostics(
    string CellType, SourceStatistics Real, SourceStatistics Synthetic,
    double HistogramDistance, double CellHistogramDistance, double BackgroundHistogramDistance, double HaloDistance, double SyntheticCropShare);

/// <summary>Statistics of one group of images (one cell type, real or synthetic).</summary>
/// <param name="Images">Images measured.</param>
/// <param name="CellsPerImageMean">Mean cells per image.</param>
/// <param name="CellsPerImageMin">Fewest cells in one image.</param>
/// <param name="CellsPerImageMax">Most cells in one image.</param>
/// <param name="CoverageMean">Mean share of an image's pixels that are cell.</param>
/// <param name="CellMean">Mean gray level of cell pixels.</param>
/// <param name="CellStd">Standard deviation of cell pixels.</param>
/// <param name="BackgroundMean">Mean gray level of far-background pixels.</param>
/// <param name="BackgroundStd">Their standard deviation.</param>
/// <param name="BackgroundLocalStd">Mean standard deviation in 5×5 windows lying wholly in background (the fine texture).</param>
/// <param name="BackgroundGradientEnergy">Mean squared gradient (central differences) on far-background pixels.</param>
/// <param name="BackgroundSeamRatio">Mean squared difference of neighbouring background pixels across 8-pixel block edges over that within blocks (≈1 for real images; above 1 shows the tiles of filled holes).</param>
/// <param name="EdgeGradient">Mean gradient magnitude on the pixels either side of a cell boundary (gray levels per pixel): the sharpness of the edge.</param>
/// <param name="HaloProfile">Mean gray level minus the image's background median at each signed distance to the cell boundary, −HaloRadius…−1 then +1…+HaloRadius; null where no pixel lies at that distance.</param>
/// <param name="Histogram">Normalised 256-bin histogram of all pixels.</param>
/// <param name="CellHistogram">Of cell pixels.</param>
/// <param name="BackgroundHistogram">Of far-background pixels.</param>
public sealed record SourceStatistics(
    int Images, double CellsPerImageMean, int CellsPerImageMin, int CellsPerImageMax, double CoverageMean,
    double CellMean, double CellStd, double BackgroundMean, double BackgroundStd, double BackgroundLocalStd,
    double BackgroundGradientEnergy, double BackgroundSeamRatio, double EdgeGradient,
    IReadOnlyList<double?> HaloProfile, IReadOnlyList<double> Histogram, IReadOnlyList<double> CellHistogram, IReadOnlyList<double> BackgroundHistogram)
{
    /// <summary>Crops of the first images (for the report page), not written to JSON.</summary>
    [JsonIgnore]
    public IReadOnlyList<DiagnosticCrop> Crops { get; init; } = [];
}

/// <summary>A square window of one image, for the report page.</summary>
/// <param name="FileName">The image it was cut from.</param>
/// <param name="X">Left column.</param>
/// <param name="Y">Top row.</param>
/// <param name="Size">Side in pixels.</param>
/// <param name="Pixels">8-bit gray values, row-major.</param>
public sealed record DiagnosticCrop(string FileName, int X, int Y, int Size, byte[] Pixels);
