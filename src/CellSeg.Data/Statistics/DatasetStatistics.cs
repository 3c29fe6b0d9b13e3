using CellSeg.Data.Coco;
using CellSeg.Data.Livecell;

namespace CellSeg.Data.Statistics;

/// <summary>Cells-per-image and cell-size figures for one group of images (a cell type, or all).</summary>
/// <param name="Group">Cell type, "all", or "(other)" for names that are not LIVECell's.</param>
/// <param name="Images">Number of images.</param>
/// <param name="Cells">Number of annotations.</param>
/// <param name="MinCellsPerImage">Fewest cells in one image.</param>
/// <param name="MedianCellsPerImage">Median cells per image.</param>
/// <param name="MeanCellsPerImage">Mean cells per image.</param>
/// <param name="MaxCellsPerImage">Most cells in one image.</param>
/// <param name="MedianCellArea">Median annotation area in px² (the JSON 'area').</param>
public sealed record GroupStatistics(string Group, int Images, int Cells, int MinCellsPerImage, double MedianCellsPerImage, double MeanCellsPerImage, int MaxCellsPerImage, double MedianCellArea);

/// <summary>Per-cell-type statistics of a COCO dataset (cell type from LIVECell file names).</summary>
public static class DatasetStatistics
{
    /// <summary>The group name for images whose file name is not a LIVECell name.</summary>
    public const string Other = "(other)";

    /// <summary>One row per cell type (alphabetical), then one for all images.</summary>
    public static IReadOnlyList<GroupStatistics> ByCellType(CocoDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var rows = dataset.Images
            .GroupBy(i => CellTypes.TryFromFileName(i.FileName, out var t) ? t : Other, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => Row(g.Key, g.ToList(), dataset))
            .ToList();
        rows.Add(Row("all", dataset.Images, dataset));
        return rows;
    }

    private static GroupStatistics Row(string group, IReadOnlyList<CocoImage> images, CocoDataset dataset)
    {
        var counts = images.Select(i => dataset.AnnotationsOf(i.Id).Count).Order().ToArray();
        var areas = images.SelectMany(i => dataset.AnnotationsOf(i.Id)).Select(a => a.Area).Order().ToArray();
        return new GroupStatistics(
            group,
            images.Count,
            counts.Sum(),
            counts.Length == 0 ? 0 : counts[0],
            Median(counts.Select(c => (double)c).ToArray()),
            counts.Length == 0 ? 0 : counts.Average(),
            counts.Length == 0 ? 0 : counts[^1],
            Median(areas));
    }

    private static double Median(double[] sorted) => sorted.Length == 0
        ? 0
        : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
