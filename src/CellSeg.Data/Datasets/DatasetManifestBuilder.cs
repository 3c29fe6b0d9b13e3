using CellSeg.Data.Coco;
using CellSeg.Data.Livecell;

namespace CellSeg.Data.Datasets;

/// <summary>Builds a <see cref="DatasetManifest"/> from a parsed COCO dataset.</summary>
public static class DatasetManifestBuilder
{
    /// <summary>The group name for images whose file name is not a LIVECell name.</summary>
    public const string OtherGroup = "(other)";

    /// <summary>The group row over every image.</summary>
    public const string AllGroup = "all";

    /// <summary>Makes the manifest: one entry per image, density statistics per cell type, the dataset's issues plus <paramref name="extraIssues"/>.</summary>
    /// <param name="dataset">The parsed annotations.</param>
    /// <param name="name">A label for reports.</param>
    /// <param name="split">The split of every image.</param>
    /// <param name="pathOf">Where an image lies, or null when unknown.</param>
    /// <param name="extraIssues">Problems found outside the COCO file (e.g. missing images).</param>
    public static DatasetManifest Build(CocoDataset dataset, string name, string split, Func<CocoImage, string?>? pathOf = null, IEnumerable<ReadIssue>? extraIssues = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var entries = new List<DatasetImageEntry>(dataset.Images.Count);
        foreach (var image in dataset.Images)
        {
            var cells = dataset.AnnotationsOf(image.Id).Where(a => !a.IsCrowd).ToList();
            var pixels = (double)image.Width * image.Height;
            var area = cells.Sum(a => a.Area);
            entries.Add(new DatasetImageEntry(
                image.Id,
                image.FileName,
                pathOf?.Invoke(image),
                split,
                CellTypes.TryFromFileName(image.FileName, out var type) ? type : null,
                image.Width,
                image.Height,
                cells.Count,
                pixels > 0 ? cells.Count / pixels * 1e6 : 0,
                pixels > 0 ? Math.Min(1, area / pixels) : 0,
                cells.Count > 0 ? area / cells.Count : 0));
        }

        var areasByImage = dataset.Images.ToDictionary(i => i.Id, i => dataset.AnnotationsOf(i.Id).Where(a => !a.IsCrowd).Select(a => a.Area).ToArray());
        var rows = entries
            .GroupBy(e => e.CellType ?? OtherGroup, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => Row(g.Key, g.ToList(), areasByImage))
            .ToList();
        rows.Add(Row(AllGroup, entries, areasByImage));
        var issues = dataset.Issues.Concat(extraIssues ?? []).ToList();
        return new DatasetManifest(name, split, dataset.SourcePath ?? string.Empty, entries, rows, issues);
    }

    /// <summary>The value at fraction <paramref name="q"/> (0–1) of sorted values, interpolating linearly between ranks (numpy's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return 0;
        }

        var position = Math.Clamp(q, 0, 1) * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    private static DensityStatistics Row(string group, IReadOnlyList<DatasetImageEntry> images, Dictionary<long, double[]> areasByImage)
    {
        var counts = images.Select(e => (double)e.Cells).Order().ToArray();
        var areas = images.SelectMany(e => areasByImage[e.Id]).Order().ToArray();
        return new DensityStatistics(
            group,
            images.Count,
            images.Sum(e => e.Cells),
            counts.Length == 0 ? 0 : (int)counts[0],
            Quantile(counts, 0.05),
            Quantile(counts, 0.5),
            counts.Length == 0 ? 0 : counts.Average(),
            Quantile(counts, 0.95),
            counts.Length == 0 ? 0 : (int)counts[^1],
            Quantile(areas, 0.5),
            images.Count == 0 ? 0 : images.Average(e => e.Coverage));
    }
}
