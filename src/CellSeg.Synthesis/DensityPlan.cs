using System.Globalization;

namespace CellSeg.Synthesis;

/// <summary>
/// Caps each cell type's density at a value taken from its own real distribution of cells per image.
/// The paper pushed every cell type to the same upper density (up to ~1,000 cells) and concluded that
/// this produced out-of-distribution images for lines that reach confluence at fewer cells; with a cap
/// per type, the target of a type is min(level, cap).
/// </summary>
/// <param name="Quantile">Which quantile of the real cells-per-image counts is the cap (linear interpolation between order statistics, as numpy's default). 0.95 ignores a rare outlier image; 1 is the maximum observed.</param>
/// <param name="Factor">The quantile is multiplied by this (above 1 allows somewhat denser than real images), then rounded up.</param>
public sealed record DensityCalibration(double Quantile = 0.95, double Factor = 1.0)
{
    /// <summary>The cap for a type with these real cells-per-image counts; <see cref="int.MaxValue"/> (no cap) when there are none.</summary>
    /// <exception cref="ArgumentException">Quantile outside [0, 1] or factor not positive.</exception>
    public int CapFor(IReadOnlyList<int> cellsPerImage)
    {
        ArgumentNullException.ThrowIfNull(cellsPerImage);
        if (Quantile is < 0 or > 1 || !(Factor > 0))
        {
            throw new ArgumentException($"calibration needs a quantile in [0, 1] and a positive factor, got {Quantile} and {Factor}");
        }

        if (cellsPerImage.Count == 0)
        {
            return int.MaxValue;
        }

        var sorted = cellsPerImage.Order().ToArray();
        var position = Quantile * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        var value = sorted[below] + (position - below) * (sorted[above] - sorted[below]);
        return Math.Max(1, (int)Math.Ceiling(value * Factor - 1e-9));
    }
}

/// <summary>The density levels of a synthetic set (cells per image), one workflow branch each, and optional calibration.</summary>
/// <param name="Levels">Cells per image asked for, e.g. 20, 100, 1000 (the paper's range).</param>
/// <param name="Calibration">Per-type caps from the real distribution; null: every type gets every level as it is.</param>
public sealed record DensityPlan(IReadOnlyList<int> Levels, DensityCalibration? Calibration = null)
{
    /// <summary>Parses a list like <c>20,100,1000</c>.</summary>
    /// <exception cref="FormatException">An entry is not a positive whole number.</exception>
    public static DensityPlan Parse(string levels, DensityCalibration? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(levels);
        var list = new List<int>();
        foreach (var part in levels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var level) || level <= 0)
            {
                throw new FormatException($"density level '{part}' is not a positive whole number (expected e.g. 20,100,1000)");
            }

            list.Add(level);
        }

        return new DensityPlan(list, calibration);
    }

    /// <summary>Cells per image for one type at one level: the level, or min(level, cap) when calibrated.</summary>
    public static int TargetFor(CellBank bank, string cellType, int level, DensityCalibration? calibration)
    {
        ArgumentNullException.ThrowIfNull(bank);
        return calibration is null ? level : Math.Min(level, calibration.CapFor(bank.CellsPerImageOf(cellType)));
    }

    /// <summary>
    /// Cells asked for in one image: <see cref="TargetFor"/>, or with <see cref="SynthesisOptions.RealDensity"/> a
    /// draw from the cell type's real cells per image (one source image's count at random, times a factor uniform in
    /// [0.8, 1.2]; capped when calibrated), taken from <paramref name="imageSeed"/> so the image stays reproducible.
    /// </summary>
    public static int ImageTarget(CellBank bank, string cellType, int level, DensityCalibration? calibration, SynthesisOptions options, ulong imageSeed)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(options);
        var counts = bank.CellsPerImageOf(cellType);
        if (!options.RealDensity || counts.Count == 0)
        {
            return TargetFor(bank, cellType, level, calibration);
        }

        var random = new SeededRandom(SeededRandom.Derive(unchecked((long)imageSeed), 97));
        var drawn = (int)Math.Round(counts[random.Next(counts.Count)] * (0.8 + 0.4 * random.NextDouble()));
        var cap = calibration?.CapFor(counts) ?? int.MaxValue;
        return Math.Clamp(Math.Min(drawn, cap), 0, ushort.MaxValue);
    }

    /// <summary>The cap of every type of the bank (no entry without calibration).</summary>
    public IReadOnlyDictionary<string, int> Caps(CellBank bank)
    {
        ArgumentNullException.ThrowIfNull(bank);
        return Calibration is null
            ? new Dictionary<string, int>()
            : bank.CellTypes.ToDictionary(t => t, t => Calibration.CapFor(bank.CellsPerImageOf(t)), StringComparer.Ordinal);
    }
}
