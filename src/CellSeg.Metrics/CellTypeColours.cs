using CellSeg.Data.Livecell;
using ScottPlot;

namespace CellSeg.Metrics;

/// <summary>One colour per cell type, the same in every plot of the project (PCA, run reports), so figures compare at a glance.</summary>
public static class CellTypeColours
{
    private static readonly Dictionary<string, Color> Colours = new(StringComparer.Ordinal)
    {
        [CellTypes.A172] = Color.FromHex("#1f77b4"),
        [CellTypes.BT474] = Color.FromHex("#ff7f0e"),
        [CellTypes.BV2] = Color.FromHex("#2ca02c"),
        [CellTypes.Huh7] = Color.FromHex("#d62728"),
        [CellTypes.MCF7] = Color.FromHex("#9467bd"),
        [CellTypes.SHSY5Y] = Color.FromHex("#8c564b"),
        [CellTypes.SkBr3] = Color.FromHex("#e377c2"),
        [CellTypes.SKOV3] = Color.FromHex("#17becf"),
    };

    /// <summary>The colour of <paramref name="cellType"/>; false for a name that is not one of the 8 cell types.</summary>
    public static bool TryGet(string cellType, out Color colour) => Colours.TryGetValue(cellType, out colour);
}
