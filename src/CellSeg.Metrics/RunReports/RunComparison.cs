using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CellSeg.Metrics.RunReports;

/// <summary>
/// Two runs' score tables side by side: per metric, a row per row and, for every model of either run (matched by
/// name), run A's value, run B's value and B − A, coloured by whether B is better. What a change of data, model or
/// budget did, at a glance.
/// </summary>
public static class RunComparison
{
    /// <summary>The models of either run, A's first, by name (case-insensitive).</summary>
    public static IReadOnlyList<string> ModelNames(RunReport a, RunReport b, string metric)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return [.. a.ModelsWith(metric).Select(m => m.Model).Concat(b.ModelsWith(metric).Select(m => m.Model)).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Run A's and run B's value of a model on a row.</summary>
    public static (double? A, double? B) Values(RunReport a, RunReport b, string model, string row, string metric)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        static double? Of(RunReport r, string model, string row, string metric) =>
            r.Models.FirstOrDefault(m => m.Model.Equals(model, StringComparison.OrdinalIgnoreCase))?.Rows.GetValueOrDefault(row)?.Get(metric);
        return (Of(a, model, row, metric), Of(b, model, row, metric));
    }

    /// <summary>The rows of either report, A's order first.</summary>
    public static IReadOnlyList<string> Rows(RunReport a, RunReport b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return [.. a.Rows.Concat(b.Rows).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The comparison as a self-contained HTML page (inline CSS, no script, no link).</summary>
    public static string Html(RunReport a, RunReport b)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"><title>")
            .Append(E($"{Name(a)} vs {Name(b)}")).Append("</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1280px;padding:0 16px;color:#1d2330}")
            .Append("table{border-collapse:collapse;margin:12px 0;font-size:.85rem}th,td{border:1px solid #d5d9e0;padding:4px 8px;text-align:right}")
            .Append("th{background:#f1f3f7}td.row{text-align:left;font-weight:600}.better{color:#13793b;font-weight:600}.worse{color:#b3261e;font-weight:600}")
            .Append(".missing{background:#fff6e0;border-left:4px solid #e0a800;padding:6px 10px}</style></head><body>\n")
            .Append("<h1>Run comparison</h1><p>A: ").Append(E(Name(a))).Append(" (").Append(E(a.Title)).Append(")<br>B: ").Append(E(Name(b))).Append(" (").Append(E(b.Title))
            .Append(")</p><p>Each model: A's value, B's value and B − A; green where B is better, red where worse.</p>\n");
        foreach (var metric in RunResults.Metrics)
        {
            var models = ModelNames(a, b, metric);
            html.Append("<h2>").Append(E(ReportFormat.Caption(metric))).Append("</h2>\n");
            if (models.Count == 0)
            {
                html.Append("<p class=\"missing\" data-metric=\"").Append(metric).Append("\">neither run has ").Append(metric).Append(".</p>\n");
                continue;
            }

            html.Append("<table class=\"compare\" data-metric=\"").Append(metric).Append("\"><thead><tr><th rowspan=\"2\">cell type</th>");
            foreach (var m in models)
            {
                html.Append("<th colspan=\"3\">").Append(E(m)).Append("</th>");
            }

            html.Append("</tr><tr>").Append(string.Concat(models.Select(_ => "<th>A</th><th>B</th><th>B − A</th>"))).Append("</tr></thead><tbody>");
            foreach (var row in Rows(a, b))
            {
                html.Append("<tr><td class=\"row\">").Append(E(a.Paper.LabelOf(row))).Append("</td>");
                foreach (var m in models)
                {
                    var (va, vb) = Values(a, b, m, row, metric);
                    html.Append("<td>").Append(ReportFormat.Value(va)).Append("</td><td>").Append(ReportFormat.Value(vb)).Append("</td><td");
                    if (va is { } x && vb is { } y)
                    {
                        html.Append(" class=\"").Append(ReportFormat.IsBetter(metric, y - x) ? "better" : y == x ? "same" : "worse").Append("\">").Append(ReportFormat.Delta(y - x));
                    }
                    else
                    {
                        html.Append('>');
                    }

                    html.Append("</td>");
                }

                html.Append("</tr>");
            }

            html.Append("</tbody></table>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>The comparison as Markdown tables.</summary>
    public static string Markdown(RunReport a, RunReport b)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Run comparison: A = {Name(a)}, B = {Name(b)}");
        md.AppendLine();
        foreach (var metric in RunResults.Metrics)
        {
            md.AppendLine("## " + ReportFormat.Caption(metric));
            md.AppendLine();
            var models = ModelNames(a, b, metric);
            if (models.Count == 0)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"> neither run has {metric}.");
                md.AppendLine();
                continue;
            }

            md.AppendLine("| cell type | " + string.Join(" | ", models.Select(m => $"{m} A | {m} B | {m} B − A")) + " |");
            md.AppendLine("|---|" + string.Concat(models.Select(_ => "---:|---:|---:|")));
            foreach (var row in Rows(a, b))
            {
                md.Append("| ").Append(a.Paper.LabelOf(row));
                foreach (var m in models)
                {
                    var (va, vb) = Values(a, b, m, row, metric);
                    md.Append(" | ").Append(ReportFormat.Value(va)).Append(" | ").Append(ReportFormat.Value(vb)).Append(" | ")
                        .Append(va is { } x && vb is { } y ? ReportFormat.Delta(y - x) : string.Empty);
                }

                md.AppendLine(" |");
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    /// <summary>
    /// The comparison as JSON: <c>{a, b, aTitle, bTitle, tables: {METRIC: {caption, lowerIsBetter, models, rows: [{row, label,
    /// cells: [{model, a, b, delta}]}]}}}</c>, delta = B − A where both are there.
    /// </summary>
    public static JsonObject ToJson(RunReport a, RunReport b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var tables = new JsonObject();
        foreach (var metric in RunResults.Metrics)
        {
            var models = ModelNames(a, b, metric);
            tables[metric] = new JsonObject
            {
                ["caption"] = ReportFormat.Caption(metric),
                ["lowerIsBetter"] = !ReportFormat.IsBetter(metric, 1),
                ["models"] = new JsonArray([.. models.Select(m => (JsonNode)m)]),
                ["rows"] = new JsonArray([.. Rows(a, b).Select(row => (JsonNode)new JsonObject
                {
                    ["row"] = row,
                    ["label"] = a.Paper.LabelOf(row),
                    ["cells"] = new JsonArray([.. models.Select(m =>
                    {
                        var (va, vb) = Values(a, b, m, row, metric);
                        return (JsonNode)new JsonObject { ["model"] = m, ["a"] = va, ["b"] = vb, ["delta"] = va is { } x && vb is { } y ? y - x : null };
                    })]),
                })]),
            };
        }

        return new JsonObject { ["a"] = Name(a), ["b"] = Name(b), ["aTitle"] = a.Title, ["bTitle"] = b.Title, ["tables"] = tables };
    }

    /// <summary>The comparison as indented JSON text (<see cref="ToJson"/>).</summary>
    public static string Json(RunReport a, RunReport b) => ToJson(a, b).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Writes <c>compare.html</c>, <c>compare.json</c> and <c>compare.md</c> into <paramref name="folder"/>.</summary>
    public static Task<RunReportFiles> WriteAsync(RunReport a, RunReport b, string folder, CancellationToken cancellationToken = default) =>
        RunReportWriter.WriteAsync(folder, "compare", Html(a, b), Json(a, b), Markdown(a, b), cancellationToken);

    private static string Name(RunReport r) => r.RunId ?? r.Title;

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
