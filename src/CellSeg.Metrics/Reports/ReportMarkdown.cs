using System.Globalization;
using System.Text;
using CellSeg.Data.IO;
using CellSeg.Metrics.Coco;

namespace CellSeg.Metrics.Reports;

/// <summary>Writes an <see cref="EvaluationReport"/> as a Markdown table, one row for the whole set and one per cell type.</summary>
public static class ReportMarkdown
{
    /// <summary>Column headers, shared by the Markdown table and the console table.</summary>
    public static IReadOnlyList<string> Headers(EvaluationReport report)
    {
        var p = report.Params;
        var headers = new List<string> { "set", "images", "cells", "detections", "AP", "AP50", "AP75", "APs", "APm", "APl", $"AR@{p.MaxDetections[^1]}", "AFNR" };
        if (p.IouType == IouType.Segm)
        {
            headers.Add("F1");
        }

        return headers;
    }

    /// <summary>Cells of one row, formatted (numbers to 4 decimals, −1 as "n/a").</summary>
    public static IReadOnlyList<string> Cells(EvaluationReport report, EvaluationRow row)
    {
        var s = row.Coco;
        var cells = new List<string>
        {
            row.Name,
            row.ImageCount.ToString(CultureInfo.InvariantCulture),
            row.GroundTruthCount.ToString(CultureInfo.InvariantCulture),
            row.DetectionCount.ToString(CultureInfo.InvariantCulture),
            F(s.AP), F(s.AP50), F(s.AP75), F(s.APs), F(s.APm), F(s.APl), F(s.AR[report.Params.MaxDetections[^1]]), F(s.AFNR),
        };
        if (report.Params.IouType == IouType.Segm)
        {
            cells.Add(row.Semantic is { } sem ? F(sem.F1) : "n/a");
        }

        return cells;
    }

    /// <summary>The whole table with a short header saying how it was computed.</summary>
    public static string ToMarkdown(EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var p = report.Params;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Evaluation: {Path.GetFileName(report.PredictionsPath)} vs {Path.GetFileName(report.GroundTruthPath)}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- IoU type: {(p.IouType == IouType.Segm ? "segm" : "bbox")}; preset: {p.Preset}; maxDets: {string.Join(", ", p.MaxDetections)}; class-agnostic: {(!p.UseCategories ? "yes" : "no")}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Area ranges: {string.Join("; ", p.AreaRanges.Select(a => $"{a.Label} {a.Min:0.##}–{a.Max:0.##}"))}");
        sb.AppendLine("- AP, AP50, AP75, APs/m/l and AFNR at the last maxDets; AFNR = mean over IoU 0.50:0.95 of (1 − recall).");
        if (p.IouType == IouType.Segm)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- F1: pooled pixel F1 (Dice) of the union of predicted masks with score ≥ {report.SemanticScoreThreshold:0.###} against the union of ground-truth cells.");
        }

        sb.AppendLine();
        var headers = Headers(report);
        sb.AppendLine("| " + string.Join(" | ", headers) + " |");
        sb.AppendLine("|" + string.Concat(headers.Select((_, i) => i == 0 ? "---|" : "---:|")));
        foreach (var row in report.PerGroup.Prepend(report.Overall))
        {
            sb.AppendLine("| " + string.Join(" | ", Cells(report, row)) + " |");
        }

        if (report.SkippedRecords.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"Skipped records ({report.SkippedRecords.Count}):");
            foreach (var s in report.SkippedRecords)
            {
                sb.AppendLine("- " + s);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Several models' reports on the same ground truth as one table (the paper's Tables 3–4): a row per model
    /// for the whole set, then its rows per cell type; the columns of <see cref="Headers"/> after a "model" column.
    /// </summary>
    public static string CompareToMarkdown(IReadOnlyList<(string Model, EvaluationReport Report)> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            throw new ArgumentException("no report to compare", nameof(reports));
        }

        var first = reports[0].Report;
        var p = first.Params;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Instance segmentation: {reports.Count} model(s) vs {Path.GetFileName(first.GroundTruthPath)}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- IoU type: {(p.IouType == IouType.Segm ? "segm" : "bbox")}; preset: {p.Preset}; maxDets: {string.Join(", ", p.MaxDetections)}");
        sb.AppendLine("- AP, AP50, AP75, APs/m/l and AFNR at the last maxDets; AFNR = mean over IoU 0.50:0.95 of (1 − recall).");
        if (p.IouType == IouType.Segm)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- F1: pooled pixel F1 of the union of predicted masks with score ≥ {first.SemanticScoreThreshold:0.###}.");
        }

        sb.AppendLine();
        var headers = Headers(first).Prepend("model").ToList();
        sb.AppendLine("| " + string.Join(" | ", headers) + " |");
        sb.AppendLine("|" + string.Concat(headers.Select((_, i) => i <= 1 ? "---|" : "---:|")));
        foreach (var (model, report) in reports)
        {
            foreach (var row in report.PerGroup.Prepend(report.Overall))
            {
                sb.AppendLine("| " + string.Join(" | ", Cells(report, row).Prepend(model)) + " |");
            }
        }

        return sb.ToString();
    }

    /// <summary>Writes the table atomically.</summary>
    public static Task WriteAsync(EvaluationReport report, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            var bytes = Encoding.UTF8.GetBytes(ToMarkdown(report));
            await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
        }, cancellationToken);

    private static string F(double v) => v < 0 ? "n/a" : v.ToString("0.0000", CultureInfo.InvariantCulture);
}
