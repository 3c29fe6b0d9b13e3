using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;

namespace CellSeg.Metrics.Pca;

/// <summary>Which numbers describe an image in a dataset PCA.</summary>
public enum FeatureSet
{
    /// <summary>
    /// Where the cells are: the fraction of each block of a coarse grid covered by annotated cells. Moves
    /// with cell location and density, which is what dataset extension changes (the paper's reading of its
    /// Figures 1 and 2).
    /// </summary>
    Masks,

    /// <summary>The image itself, averaged over the blocks of a coarse grid and normalised with LIVECell's mean 128 and std 11.578.</summary>
    Pixels,

    /// <summary>
    /// Eight summary numbers, standardised: cells, coverage, mean and spread of cell area, mean and spread
    /// of cell elongation (bounding-box aspect), mean and spread of intensity.
    /// </summary>
    Morphology,
}

/// <summary>Feature vectors of one image for <see cref="PrincipalComponents"/>.</summary>
public static class ImageFeatures
{
    /// <summary>LIVECell's global intensity mean (images centre on 128).</summary>
    public const double LivecellMean = 128;

    /// <summary>LIVECell's global intensity standard deviation.</summary>
    public const double LivecellStd = 11.578;

    /// <summary>Whether a feature set needs its features standardised before PCA (they have different units).</summary>
    public static bool NeedsStandardising(FeatureSet set) => set == FeatureSet.Morphology;

    /// <summary>The features of one image.</summary>
    /// <param name="set">Which features.</param>
    /// <param name="image">The pixels (read only for <see cref="FeatureSet.Pixels"/> and <see cref="FeatureSet.Morphology"/>; may be null for <see cref="FeatureSet.Masks"/>).</param>
    /// <param name="record">The COCO image record.</param>
    /// <param name="cells">Its annotations (crowd regions are ignored).</param>
    /// <param name="gridWidth">Blocks across, for the grid features.</param>
    /// <param name="gridHeight">Blocks down, for the grid features.</param>
    public static double[] Of(FeatureSet set, GrayImage? image, CocoImage record, IReadOnlyList<CocoAnnotation> cells, int gridWidth, int gridHeight)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(cells);
        return set switch
        {
            FeatureSet.Masks => Masks(cells.Where(c => !c.IsCrowd).Select(c => c.Segmentation.ToRle(record.Height, record.Width)), record.Height, record.Width, gridWidth, gridHeight),
            FeatureSet.Pixels => Pixels(image ?? throw new ArgumentNullException(nameof(image)), gridWidth, gridHeight),
            FeatureSet.Morphology => Morphology(image ?? throw new ArgumentNullException(nameof(image)), cells.Where(c => !c.IsCrowd).ToList()),
            _ => throw new ArgumentOutOfRangeException(nameof(set), set, "unknown feature set"),
        };
    }

    /// <summary>Block means of the image, normalised as LIVECell models see it.</summary>
    public static double[] Pixels(GrayImage image, int gridWidth, int gridHeight)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckGrid(gridWidth, gridHeight, image.Width, image.Height);
        var scale = image.BitDepth == 16 ? 255.0 / 65535 : 1;
        var sums = new double[gridWidth * gridHeight];
        var counts = new int[gridWidth * gridHeight];
        for (var y = 0; y < image.Height; y++)
        {
            var by = (int)((long)y * gridHeight / image.Height);
            for (var x = 0; x < image.Width; x++)
            {
                var b = by * gridWidth + (int)((long)x * gridWidth / image.Width);
                sums[b] += image[x, y] * scale;
                counts[b]++;
            }
        }

        return sums.Select((s, i) => (s / counts[i] - LivecellMean) / LivecellStd).ToArray();
    }

    /// <summary>Fraction of each block covered by the union of the cells.</summary>
    public static double[] Masks(IEnumerable<Rle> cells, int height, int width, int gridWidth, int gridHeight)
    {
        CheckGrid(gridWidth, gridHeight, width, height);
        var union = MaskConversion.ToSemantic(cells, height, width);
        var sums = new double[gridWidth * gridHeight];
        var counts = new int[gridWidth * gridHeight];
        for (var y = 0; y < height; y++)
        {
            var by = (int)((long)y * gridHeight / height);
            for (var x = 0; x < width; x++)
            {
                var b = by * gridWidth + (int)((long)x * gridWidth / width);
                sums[b] += union[x, y] != 0 ? 1 : 0;
                counts[b]++;
            }
        }

        return sums.Select((s, i) => s / counts[i]).ToArray();
    }

    /// <summary>Cells, coverage, cell area mean/std, elongation mean/std, intensity mean/std.</summary>
    public static double[] Morphology(GrayImage image, IReadOnlyList<CocoAnnotation> cells)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(cells);
        var areas = cells.Select(c => c.Area).ToArray();
        var elongation = cells.Select(c => Math.Max(c.Bbox.Width, c.Bbox.Height) / Math.Max(1e-9, Math.Min(c.Bbox.Width, c.Bbox.Height))).ToArray();
        var scale = image.BitDepth == 16 ? 255.0 / 65535 : 1;
        var pixels = new double[image.Width * image.Height];
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                pixels[y * image.Width + x] = image[x, y] * scale;
            }
        }

        var (areaMean, areaStd) = MeanStd(areas);
        var (elongMean, elongStd) = MeanStd(elongation);
        var (intMean, intStd) = MeanStd(pixels);
        return [cells.Count, Math.Min(1, areas.Sum() / pixels.Length), areaMean, areaStd, elongMean, elongStd, intMean, intStd];
    }

    private static (double Mean, double Std) MeanStd(double[] values)
    {
        if (values.Length == 0)
        {
            return (0, 0);
        }

        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
        return (mean, Math.Sqrt(variance));
    }

    private static void CheckGrid(int gridWidth, int gridHeight, int width, int height)
    {
        if (gridWidth < 1 || gridHeight < 1 || gridWidth > width || gridHeight > height)
        {
            throw new ArgumentException($"a {gridWidth}×{gridHeight} grid does not fit a {width}×{height} image");
        }
    }
}
