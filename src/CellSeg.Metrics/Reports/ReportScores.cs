using System.Text.Json;
using System.Text.Json.Nodes;

namespace CellSeg.Metrics.Reports;

/// <summary>
/// Reads one score out of an evaluation report file, for a champion/challenger gate or a comparison: the semantic
/// report (<c>{split, models: [{model, overall: {f1, ...}, perCellType: {TYPE: {...}}}]}</c>) and the instance report
/// (<see cref="ReportJson"/>: <c>AP</c>, <c>AP50</c>, <c>AP75</c>, <c>AFNR</c>, <c>F1</c> at the top and under
/// <c>per_cell_type</c>; several models as <c>{models: [{name, report}]}</c>).
/// A metric is written <c>NAME</c> (over all images) or <c>NAME/CELLTYPE</c>: <c>F1</c>, <c>F1/MCF7</c>, <c>AP</c>,
/// <c>AP50</c>, <c>AP75</c>, <c>AFNR/A172</c>, <c>precision</c>, <c>recall</c>.
/// </summary>
public static class ReportScores
{
    /// <summary>The metrics a gate can compare, for messages.</summary>
    public const string Metrics = "F1, precision, recall (semantic or instance reports), AP, AP50, AP75, AFNR (instance reports), each optionally /CELLTYPE";

    /// <summary>True when a lower value of <paramref name="metric"/> is better (AFNR: the fraction of cells missed).</summary>
    public static bool LowerIsBetter(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return Split(metric).Name.Equals("AFNR", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Checks a metric's spelling; the message names what is accepted.</summary>
    /// <exception cref="ArgumentException">Not a known metric.</exception>
    public static void CheckMetric(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var (name, cellType) = Split(metric);
        if (!IsKnown(name) || (cellType is not null && cellType.Length == 0))
        {
            throw new ArgumentException($"unknown metric '{metric}': use {Metrics}");
        }
    }

    /// <summary>The names of the models a report holds, in order.</summary>
    public static IReadOnlyList<string> ModelNames(JsonNode report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report["models"] is JsonArray models
            ? [.. models.Select(m => (m?["model"] ?? m?["name"])?.GetValue<string>() ?? string.Empty)]
            : [string.Empty];
    }

    /// <summary>
    /// The score of <paramref name="model"/> (null or empty: the report's first model) on <paramref name="metric"/>; NaN
    /// when the report holds the field as null (e.g. F1 of a cell type without pixels).
    /// </summary>
    /// <param name="path">The report file (for messages).</param>
    /// <param name="report">Its parsed JSON.</param>
    /// <param name="metric">See the class summary.</param>
    /// <param name="model">The model's name in the report.</param>
    /// <exception cref="FormatException">The report does not hold that model, cell type or metric; the message says which.</exception>
    public static double Read(string path, JsonNode report, string metric, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        CheckMetric(metric);
        var (name, cellType) = Split(metric);
        var entry = Entry(path, report, model);
        JsonNode? row;
        string? field;
        if (entry["overall"] is JsonObject overall)
        {
            // A semantic report: lower-case field names, cell types under perCellType.
            field = name.ToLowerInvariant() switch { "f1" => "f1", "precision" => "precision", "recall" => "recall", _ => null };
            if (field is null)
            {
                throw new FormatException($"{path}: {name} is not in a semantic report (it has F1, precision and recall; AP and AFNR come from EvaluateInstances)");
            }

            row = cellType is null ? overall : entry["perCellType"]?[cellType];
        }
        else
        {
            field = name.ToUpperInvariant() switch
            {
                "AP" => "AP", "AP50" => "AP50", "AP75" => "AP75", "AFNR" => "AFNR", "F1" => "F1", "PRECISION" => "precision", "RECALL" => "recall", _ => null,
            };
            row = cellType is null ? entry : entry["per_cell_type"]?[cellType];
        }

        if (row is not JsonObject values)
        {
            var known = (entry["perCellType"] ?? entry["per_cell_type"]) is JsonObject types ? string.Join(", ", types.Select(t => t.Key)) : "none";
            throw new FormatException($"{path}: no cell type '{cellType}' in the report (cell types: {known})");
        }

        if (!values.TryGetPropertyValue(field!, out var value))
        {
            throw new FormatException($"{path}: the report has no {field}{(cellType is null ? string.Empty : " for " + cellType)}");
        }

        return value is null ? double.NaN : value.GetValueKind() == JsonValueKind.Number ? value.GetValue<double>() : throw new FormatException($"{path}: {field} is not a number");
    }

    private static JsonNode Entry(string path, JsonNode report, string? model)
    {
        if (report["models"] is not JsonArray models)
        {
            return report;
        }

        if (models.Count == 0)
        {
            throw new FormatException($"{path}: the report holds no model");
        }

        if (string.IsNullOrEmpty(model))
        {
            return Unwrap(models[0]!);
        }

        foreach (var m in models)
        {
            if ((m?["model"] ?? m?["name"])?.GetValue<string>() == model)
            {
                return Unwrap(m!);
            }
        }

        throw new FormatException($"{path}: no model '{model}' in the report (models: {string.Join(", ", ModelNames(report))})");
    }

    private static JsonNode Unwrap(JsonNode entry) => entry["report"] ?? entry;

    private static bool IsKnown(string name) =>
        name.ToUpperInvariant() is "F1" or "PRECISION" or "RECALL" or "AP" or "AP50" or "AP75" or "AFNR";

    private static (string Name, string? CellType) Split(string metric)
    {
        var slash = metric.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (metric.Trim(), null) : (metric[..slash].Trim(), metric[(slash + 1)..].Trim());
    }
}
