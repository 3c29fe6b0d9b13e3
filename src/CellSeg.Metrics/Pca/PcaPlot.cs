using CellSeg.Data.IO;
using ScottPlot;

namespace CellSeg.Metrics.Pca;

/// <summary>Draws a <see cref="DatasetPcaResult"/> as a scatter plot: colour by cell type, marker shape by dataset.</summary>
public static class PcaPlot
{
    private static readonly MarkerShape[] DatasetShapes =
        [MarkerShape.FilledCircle, MarkerShape.OpenTriangleUp, MarkerShape.Cross, MarkerShape.OpenSquare, MarkerShape.Eks, MarkerShape.OpenDiamond, MarkerShape.Asterisk];

    /// <summary>Writes the plot as a PNG (atomically).</summary>
    /// <param name="result">The PCA.</param>
    /// <param name="path">The PNG to write.</param>
    /// <param name="title">The plot's title.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public static Task WritePngAsync(DatasetPcaResult result, string path, string title, int width = 900, int height = 650, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var bytes = Render(result, title, width, height);
        return AtomicFile.WriteAsync(path, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), cancellationToken);
    }

    /// <summary>The plot as PNG bytes.</summary>
    public static byte[] Render(DatasetPcaResult result, string title, int width = 900, int height = 650)
    {
        ArgumentNullException.ThrowIfNull(result);
        var plot = new Plot();
        var datasets = result.Points.Select(p => p.Dataset).Distinct(StringComparer.Ordinal).ToList();
        var fallback = new ScottPlot.Palettes.Category10();
        var other = 0;
        foreach (var group in result.Points.GroupBy(p => (p.Dataset, p.CellType)).OrderBy(g => datasets.IndexOf(g.Key.Dataset)).ThenBy(g => g.Key.CellType, StringComparer.OrdinalIgnoreCase))
        {
            var points = group.ToList();
            var scatter = plot.Add.ScatterPoints(points.Select(p => p.Pc1).ToArray(), points.Select(p => p.Pc2).ToArray());
            scatter.Color = group.Key.CellType is { } type && CellTypeColours.TryGet(type, out var colour) ? colour : fallback.GetColor(other++);
            scatter.MarkerShape = DatasetShapes[datasets.IndexOf(group.Key.Dataset) % DatasetShapes.Length];
            scatter.MarkerSize = datasets.Count > 1 && datasets.IndexOf(group.Key.Dataset) > 0 ? 7 : 6;
            scatter.LegendText = datasets.Count > 1 ? $"{group.Key.CellType ?? "other"} · {group.Key.Dataset}" : group.Key.CellType ?? "other";
        }

        plot.Title(title);
        plot.XLabel($"PC1 ({result.ExplainedVarianceRatio[0]:P1} of variance)");
        plot.YLabel($"PC2 ({result.ExplainedVarianceRatio[1]:P1} of variance)");
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
