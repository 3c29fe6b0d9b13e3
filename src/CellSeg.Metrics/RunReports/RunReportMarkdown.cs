using System.Globalization;
using System.Text;

namespace CellSeg.Metrics.RunReports;

/// <summary>A <see cref="RunReport"/>'s tables and notes as Markdown (the figures are in the HTML page).</summary>
public static class RunReportMarkdown
{
    /// <summary>The Markdown text.</summary>
    public static string Render(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# {report.Title}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{(report.RunId is null ? string.Empty : $"Run `{report.RunId}`, ")}built {report.GeneratedAt:yyyy-MM-dd HH:mm} UTC. Reference: {report.Paper.Source}");
        md.AppendLine();
        if (report.Budget is { } budget)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Budget: {budget}");
            md.AppendLine();
        }

        if (report.TablesMissing is { } missing)
        {
            md.AppendLine("> " + missing);
            md.AppendLine();
        }
        else
        {
            md.AppendLine("Each cell: the run's value, then `(paper VALUE, ±DIFFERENCE)` where the paper reports one.");
            md.AppendLine();
            foreach (var metric in RunResults.Metrics)
            {
                md.AppendLine("## " + ReportFormat.Caption(metric));
                md.AppendLine();
                var models = report.ModelsWith(metric);
                if (models.Count == 0)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"> no model of this run has {metric}.");
                    md.AppendLine();
                    continue;
                }

                md.AppendLine("| cell type | " + string.Join(" | ", models.Select(m => m.Model)) + " |");
                md.AppendLine("|---|" + string.Concat(models.Select(_ => "---:|")));
                foreach (var row in report.Rows)
                {
                    md.Append("| ").Append(report.Paper.LabelOf(row));
                    foreach (var m in models)
                    {
                        var cell = report.Cell(m, row, metric);
                        md.Append(" | ").Append(ReportFormat.Value(cell.Value));
                        if (cell.Paper is { } p)
                        {
                            md.Append(" (paper ").Append(ReportFormat.Value(p.Value)).Append(p.Mark ?? string.Empty);
                            md.Append(cell.Delta is { } d ? ", " + ReportFormat.Delta(d) : string.Empty).Append(')');
                        }
                    }

                    md.AppendLine(" |");
                }

                md.AppendLine();
            }

            foreach (var note in report.Paper.Notes)
            {
                md.AppendLine("- " + note);
            }

            md.AppendLine();
        }

        md.AppendLine("## Figures");
        md.AppendLine();
        foreach (var section in report.Sections)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- **{section.Title}**: {section.Figures.Count} figure(s) in report.html{(section.Missing is { } note ? " — " + note : string.Empty)}");
        }

        return md.ToString();
    }
}
