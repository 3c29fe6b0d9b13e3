using System.Text.Json;
using System.Text.Json.Nodes;

namespace CellSeg.Metrics.RunReports;

/// <summary>
/// A <see cref="RunReport"/> as JSON: <c>{title, runId, budget, generatedAt, reference, rows, tables: {F1|AP|AFNR: {models,
/// rows: [{row, cells: [{model, value, paper, paperTable, delta}]}]}}, sections: [{id, title, figures: [{id, caption, group, bytes}], missing}], steps}</c>.
/// The figures are named, not embedded (they are in the HTML page).
/// </summary>
public static class RunReportJson
{
    /// <summary>The JSON document.</summary>
    public static JsonObject ToJson(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var tables = new JsonObject();
        foreach (var metric in RunResults.Metrics)
        {
            var models = report.ModelsWith(metric);
            var rows = new JsonArray();
            foreach (var row in report.Rows)
            {
                var cells = new JsonArray();
                foreach (var m in models)
                {
                    var c = report.Cell(m, row, metric);
                    cells.Add(new JsonObject
                    {
                        ["model"] = m.Model, ["value"] = c.Value, ["paper"] = c.Paper?.Value, ["paperTable"] = c.Paper?.Table, ["delta"] = c.Delta,
                    });
                }

                rows.Add(new JsonObject { ["row"] = row, ["label"] = report.Paper.LabelOf(row), ["cells"] = cells });
            }

            tables[metric] = new JsonObject { ["models"] = new JsonArray([.. models.Select(m => (JsonNode)m.Model)]), ["rows"] = rows };
        }

        return new JsonObject
        {
            ["title"] = report.Title,
            ["runId"] = report.RunId,
            ["budget"] = report.Budget,
            ["generatedAt"] = report.GeneratedAt,
            ["reference"] = report.Paper.Source,
            ["tablesMissing"] = report.TablesMissing,
            ["rows"] = new JsonArray([.. report.Rows.Select(s => (JsonNode)s)]),
            ["tables"] = tables,
            ["sections"] = new JsonArray([.. report.Sections.Select(s => (JsonNode)new JsonObject
            {
                ["id"] = s.Id, ["title"] = s.Title, ["missing"] = s.Missing,
                ["figures"] = new JsonArray([.. s.Figures.Select(f => (JsonNode)new JsonObject { ["id"] = f.Id, ["caption"] = f.Caption, ["group"] = f.Group, ["bytes"] = f.Png.Length })]),
            })]),
            ["steps"] = new JsonArray([.. report.Steps.Select(s => (JsonNode)new JsonObject
            {
                ["label"] = s.Label, ["activity"] = s.Activity, ["queue"] = s.Queue, ["worker"] = s.Worker, ["device"] = s.Device, ["status"] = s.Status,
                ["startedAt"] = s.StartedAt, ["finishedAt"] = s.FinishedAt,
            })]),
        };
    }

    /// <summary>The JSON text, indented.</summary>
    public static string Render(RunReport report) => ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
