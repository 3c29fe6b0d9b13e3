using CellSeg.Data.Imaging;

namespace CellSeg.Synthesis;

/// <summary>
/// A sheet like the paper's Figure 4: a real image of one cell type on the left, then one synthetic
/// image per density level, left to right in ascending order. Each synthetic panel is exactly the first
/// image <see cref="SyntheticGenerator"/> writes for that type and level with the same options.
/// </summary>
public static class PreviewSheet
{
    /// <summary>Writes the sheet as an RGB PNG (atomically).</summary>
    /// <exception cref="ArgumentException">The bank lacks the cell type, or no levels are given.</exception>
    public static Task WritePngAsync(CellBank bank, string cellType, IReadOnlyList<int> densities, SynthesisOptions options, string path, DensityCalibration? calibration = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(densities);
        ArgumentNullException.ThrowIfNull(options);
        var original = bank.OriginalOf(cellType) ?? throw new ArgumentException($"the cell bank has no {cellType} image", nameof(cellType));
        if (densities.Count == 0)
        {
            throw new ArgumentException("a preview needs at least one density level", nameof(densities));
        }

        var panels = new List<OverlayPanel> { new(new GrayImage(original.Width, original.Height, original.Pixels), [], []) };
        var composer = new ImageComposer();
        foreach (var density in densities.Order())
        {
            var seed = SyntheticGenerator.ImageSeed(options.Seed, density, cellType, 0);
            var image = composer.Compose(bank, cellType, DensityPlan.ImageTarget(bank, cellType, density, calibration, options, seed), options, seed);
            panels.Add(new OverlayPanel(new GrayImage(image.Width, image.Height, image.Pixels), [], []));
        }

        return OverlaySheet.WritePngAsync(panels, path, cancellationToken);
    }
}
