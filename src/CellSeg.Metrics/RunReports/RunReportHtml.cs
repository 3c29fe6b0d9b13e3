using System.Globalization;
using System.Net;
using System.Text;

namespace CellSeg.Metrics.RunReports;

/// <summary>
/// A <see cref="RunReport"/> as one self-contained HTML page: the CSS is inline, every figure is a <c>data:</c> URI, and
/// the page has no script and no link, so it opens offline and asks nothing of the network.
/// </summary>
public static class RunReportHtml
{
    private const string Style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1280px;color:#1d2330;padding:0 16px}
        h1{font-size:1.5rem;margin-bottom:4px}h2{font-size:1.2rem;margin-top:32px;border-bottom:1px solid #d5d9e0;padding-bottom:4px}
        .meta{color:#5b6475;font-size:.9rem}
        table.scores{border-collapse:collapse;margin:12px 0 4px;font-size:.85rem}
        table.scores th,table.scores td{border:1px solid #d5d9e0;padding:4px 8px;text-align:right;vertical-align:top}
        table.scores th{background:#f1f3f7}table.scores td.row,table.scores th.row{text-align:left;font-weight:600}
        .paper{display:block;color:#5b6475;font-size:.75rem}.better{color:#13793b;font-weight:600}.worse{color:#b3261e;font-weight:600}
        .missing{background:#fff6e0;border-left:4px solid #e0a800;padding:6px 10px;color:#5c4400}
        figure{margin:12px 0 20px}figure img{max-width:100%;border:1px solid #e3e6eb}figcaption{font-size:.85rem;color:#5b6475}
        .legend span{display:inline-block;padding:0 6px;margin-right:6px;border-radius:3px;font-size:.8rem}
        ul.notes{font-size:.8rem;color:#5b6475}.wide{overflow-x:auto}
        .beside h3{font-size:1rem;margin:16px 0 4px}.beside .row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
        .beside figure{flex:1 1 0;min-width:260px;margin:0 0 8px}
        """;

    /// <summary>The page.</summary>
    public static string Render(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">")
            .Append("<title>").Append(E(report.Title)).Append("</title><style>").Append(Style).Append("</style></head><body>\n");
        html.Append("<h1>").Append(E(report.Title)).Append("</h1>\n<p class=\"meta\">")
            .Append(report.RunId is null ? string.Empty : "run " + E(report.RunId) + " · ")
            .Append("built ").Append(report.GeneratedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))
            .Append(" · reference: ").Append(E(report.Paper.Source)).Append("</p>\n");
        if (report.Budget is { } budget)
        {
            html.Append("<p class=\"meta\" data-budget>budget ").Append(E(budget)).Append("</p>\n");
        }

        html.Append("<section id=\"tables\" data-section=\"tables\"><h2>Scores beside the paper</h2>\n");
        if (report.TablesMissing is { } missing)
        {
            html.Append("<p class=\"missing\">").Append(E(missing)).Append("</p>\n");
        }
        else
        {
            html.Append("<p class=\"meta\">Each cell: the run's value; below it the paper's value and the difference, green where the run is better, red where worse. Rows: the whole test set, then each cell type.</p>\n");
            foreach (var metric in RunResults.Metrics)
            {
                AppendTable(html, report, metric);
            }

            html.Append("<ul class=\"notes\">");
            foreach (var note in report.Paper.Notes)
            {
                html.Append("<li>").Append(E(note)).Append("</li>");
            }

            html.Append("</ul>\n");
        }

        html.Append("</section>\n");
        foreach (var section in report.Sections)
        {
            html.Append("<section id=\"").Append(E(section.Id)).Append("\" data-section=\"").Append(E(section.Id)).Append("\"><h2>").Append(E(section.Title)).Append("</h2>\n");
            if (section.Id == "overlays")
            {
                html.Append("<p class=\"legend\"><span style=\"background:#00c800;color:#fff\">matched (TP)</span><span style=\"background:#ff00ff;color:#fff\">false positive</span><span style=\"background:#ffe600\">missed (FN)</span></p>\n");
            }

            if (section.Missing is { } note)
            {
                html.Append("<p class=\"missing\">").Append(E(note)).Append("</p>\n");
            }

            // Consecutive figures of one group (a cell type's overlays of every model) stand side by side.
            for (var i = 0; i < section.Figures.Count;)
            {
                var group = section.Figures[i].Group;
                var end = i + 1;
                while (group is not null && end < section.Figures.Count && section.Figures[end].Group == group)
                {
                    end++;
                }

                if (group is not null)
                {
                    html.Append("<div class=\"beside\" data-group=\"").Append(E(group)).Append("\"><h3>").Append(E(report.Paper.LabelOf(group))).Append("</h3><div class=\"row\">");
                }

                for (; i < end; i++)
                {
                    var figure = section.Figures[i];
                    html.Append("<figure data-figure=\"").Append(E(figure.Id)).Append("\"><img alt=\"").Append(E(figure.Caption)).Append("\" src=\"data:image/png;base64,")
                        .Append(Convert.ToBase64String(figure.Png)).Append("\"><figcaption>").Append(E(figure.Caption)).Append("</figcaption></figure>\n");
                }

                if (group is not null)
                {
                    html.Append("</div></div>\n");
                }
            }

            html.Append("</section>\n");
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void AppendTable(StringBuilder html, RunReport report, string metric)
    {
        var models = report.ModelsWith(metric);
        html.Append("<h3>").Append(E(ReportFormat.Caption(metric))).Append("</h3>\n");
        if (models.Count == 0)
        {
            html.Append("<p class=\"missing\" data-metric=\"").Append(metric).Append("\">no model of this run has ").Append(metric)
                .Append(metric == "F1" ? " (no semantic evaluation and no instance F1)" : " (no instance evaluation: EvaluateInstances)").Append(".</p>\n");
            return;
        }

        html.Append("<div class=\"wide\"><table class=\"scores\" data-metric=\"").Append(metric).Append("\"><thead><tr><th class=\"row\">cell type</th>");
        foreach (var m in models)
        {
            html.Append("<th>").Append(E(m.Model)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in report.Rows)
        {
            html.Append("<tr><td class=\"row\">").Append(E(report.Paper.LabelOf(row))).Append("</td>");
            foreach (var m in models)
            {
                var cell = report.Cell(m, row, metric);
                html.Append("<td>").Append(ReportFormat.Value(cell.Value));
                if (cell.Paper is { } p)
                {
                    html.Append("<span class=\"paper\">paper ").Append(ReportFormat.Value(p.Value)).Append(E(p.Mark ?? string.Empty))
                        .Append(" (T").Append(p.Table.ToString(CultureInfo.InvariantCulture)).Append(')');
                    if (cell.Delta is { } d)
                    {
                        html.Append(" <span class=\"").Append(ReportFormat.IsBetter(metric, d) ? "better" : d == 0 ? "same" : "worse").Append("\">")
                            .Append(ReportFormat.Delta(d)).Append("</span>");
                    }

                    html.Append("</span>");
                }

                html.Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table></div>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
