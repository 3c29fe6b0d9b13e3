using CellSeg.Metrics.Reports;
using Spectre.Console;

namespace CellSegFlows.Cli.Rendering;

/// <summary>Prints an evaluation report as a console table (same columns as the Markdown report).</summary>
internal static class ReportTable
{
    public static void Write(IAnsiConsole console, EvaluationReport report)
    {
        var p = report.Params;
        var table = new Table().Border(TableBorder.Rounded);
        table.Title = new TableTitle($"{(p.IouType == CellSeg.Metrics.Coco.IouType.Segm ? "segm" : "bbox")} · preset {p.Preset} · maxDets {string.Join("/", p.MaxDetections)}");
        var headers = ReportMarkdown.Headers(report);
        for (var i = 0; i < headers.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(headers[i]));
            table.AddColumn(i == 0 ? column : column.RightAligned());
        }

        foreach (var row in report.PerGroup.Prepend(report.Overall))
        {
            table.AddRow(ReportMarkdown.Cells(report, row).Select(Markup.Escape).ToArray());
        }

        console.Write(table);
        if (p.IouType == CellSeg.Metrics.Coco.IouType.Segm)
        {
            console.MarkupLineInterpolated($"[grey]F1 = pooled pixel F1 (Dice) of union masks, detections with score ≥ {report.SemanticScoreThreshold}. AFNR = mean over IoU 0.50:0.95 of (1 − recall).[/]");
        }

        if (report.SkippedRecords.Count > 0)
        {
            console.MarkupLineInterpolated($"[yellow]{report.SkippedRecords.Count} bad records skipped (--lenient):[/]");
            foreach (var s in report.SkippedRecords.Take(20))
            {
                console.MarkupLineInterpolated($"  [yellow]-[/] {s}");
            }

            if (report.SkippedRecords.Count > 20)
            {
                console.MarkupLineInterpolated($"  … and {report.SkippedRecords.Count - 20} more (all are in the JSON report)");
            }
        }
    }
}
