using System.Globalization;
using System.Text;
using CellSeg.Data.IO;

namespace CellSeg.Data.Datasets;

/// <summary>The statistics and the validation report of a manifest as Markdown, for people.</summary>
public static class DatasetManifestMarkdown
{
    /// <summary>How many issues are listed in full; the rest are counted.</summary>
    public const int IssuesListed = 200;

    /// <summary>The Markdown text: a table of cells per image per cell type, then the skipped records.</summary>
    public static string Render(DatasetManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# Dataset: {manifest.Name}");
        md.AppendLine();
        md.AppendLine(c, $"Split `{manifest.Split}`, annotations `{Path.GetFileName(manifest.AnnotationsFile)}`: {manifest.Images.Count:N0} images, {manifest.Images.Sum(i => i.Cells):N0} cells, {manifest.Issues.Count:N0} issues.");
        md.AppendLine();
        md.AppendLine("| cell type | images | cells | min | p5 | median | mean | p95 | max | median cell area (px²) | mean coverage |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in manifest.Statistics)
        {
            md.AppendLine(c, $"| {r.Group} | {r.Images:N0} | {r.Cells:N0} | {r.MinCellsPerImage} | {r.P05CellsPerImage:0.#} | {r.MedianCellsPerImage:0.#} | {r.MeanCellsPerImage:0.#} | {r.P95CellsPerImage:0.#} | {r.MaxCellsPerImage} | {r.MedianCellArea:0.#} | {r.MeanCoverage:0.000} |");
        }

        md.AppendLine();
        md.AppendLine("Cells per image: min, 5th percentile, median, mean, 95th percentile, max. Coverage: the cells' total area over the image area.");
        md.AppendLine();
        md.AppendLine("## Validation");
        md.AppendLine();
        if (manifest.Issues.Count == 0)
        {
            md.AppendLine("No record was skipped.");
        }
        else
        {
            md.AppendLine(c, $"{manifest.Issues.Count:N0} records were skipped (lenient mode):");
            md.AppendLine();
            foreach (var issue in manifest.Issues.Take(IssuesListed))
            {
                md.AppendLine(c, $"- {issue.Record}: {issue.Reason}");
            }

            if (manifest.Issues.Count > IssuesListed)
            {
                md.AppendLine(c, $"- … and {manifest.Issues.Count - IssuesListed:N0} more (all are in the JSON manifest).");
            }
        }

        return md.ToString();
    }

    /// <summary>Writes <see cref="Render"/> to a file (atomically).</summary>
    public static Task WriteAsync(DatasetManifest manifest, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            var bytes = Encoding.UTF8.GetBytes(Render(manifest));
            await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
        }, cancellationToken);
}
