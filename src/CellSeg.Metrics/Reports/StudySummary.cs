using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CellSeg.Metrics.Reports;

/// <summary>Mean and spread of one score over the folds and seeds of a study.</summary>
/// <param name="Mean">Mean over the finite values.</param>
/// <param name="StandardDeviation">Sample standard deviation (n − 1); NaN for fewer than two values.</param>
/// <param name="Values">Every value, in report order then model order (NaN where the cell type had no pixels).</param>
public sealed record StudyScore(double Mean, double StandardDeviation, IReadOnlyList<double> Values)
{
    /// <summary>Summarises values; NaN ones are kept in <see cref="Values"/> but left out of the mean and spread.</summary>
    public static StudyScore Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var finite = values.Where(double.IsFinite).ToList();
        var mean = finite.Count > 0 ? finite.Average() : double.NaN;
        var sd = finite.Count > 1 ? Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Count - 1)) : double.NaN;
        return new StudyScore(mean, sd, values);
    }
}

/// <summary>One setting of a study (a model name that recurs across folds and seeds) and its scores.</summary>
/// <param name="Name">The model name in the reports (e.g. TrainUNet's branch name "L" or "EL f0.25").</param>
/// <param name="Overall">The score over all images.</param>
/// <param name="PerCellType">The score per cell type.</param>
public sealed record StudySetting(string Name, StudyScore Overall, IReadOnlyDictionary<string, StudyScore> PerCellType);

/// <summary>
/// Collects a cross-validation study from semantic reports (EvaluateSemantic's JSON, one per fold): every model entry of
/// every report is one observation of the setting it is named after (so one name per setting, repeated per seed and
/// per fold), read through <see cref="ReportScores.Read"/>; the result is the mean and spread per setting and cell type.
/// </summary>
public static class StudySummary
{
    /// <summary>Summarises <paramref name="reports"/> (file path for messages, parsed JSON) on <paramref name="metric"/> (F1, precision or recall).</summary>
    /// <exception cref="FormatException">A report is not a semantic report or lacks a score; the message names the file.</exception>
    public static IReadOnlyList<StudySetting> Collect(IReadOnlyList<(string Path, JsonNode Report)> reports, string metric = "F1")
    {
        ArgumentNullException.ThrowIfNull(reports);
        ReportScores.CheckMetric(metric);
        var overall = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var perType = new Dictionary<string, SortedDictionary<string, List<double>>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (path, report) in reports)
        {
            if (report["models"] is not JsonArray models)
            {
                throw new FormatException($"{path}: not a semantic report (no 'models' list; give EvaluateSemantic's report)");
            }

            foreach (var entry in models)
            {
                var name = entry?["model"]?.GetValue<string>() ?? throw new FormatException($"{path}: a model entry has no 'model' name");
                if (!overall.TryGetValue(name, out var values))
                {
                    overall[name] = values = [];
                    perType[name] = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
                    order.Add(name);
                }

                values.Add(ReportScores.Read(path, entry, metric));
                if (entry["perCellType"] is JsonObject types)
                {
                    foreach (var (type, _) in types)
                    {
                        var byType = perType[name];
                        (byType.TryGetValue(type, out var list) ? list : byType[type] = []).Add(ReportScores.Read(path, entry, $"{metric}/{type}"));
                    }
                }
            }
        }

        return [.. order.Select(n => new StudySetting(n, StudyScore.Of(overall[n]), perType[n].ToDictionary(p => p.Key, p => StudyScore.Of(p.Value), StringComparer.Ordinal)))];
    }

    /// <summary>A Markdown table: one row per cell type (and <c>all</c>), one column per setting, cells "mean ± sd (n)"; the first setting is the baseline the others' Δ is taken from.</summary>
    public static string ToMarkdown(IReadOnlyList<StudySetting> settings, string metric = "F1")
    {
        ArgumentNullException.ThrowIfNull(settings);
        var types = settings.SelectMany(s => s.PerCellType.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{metric}, mean ± sample SD over folds × seeds (n values); Δ: mean minus the first setting's ({(settings.Count > 0 ? settings[0].Name : "none")}).\n\n");
        text.Append("| cell type |").Append(string.Concat(settings.Select((s, i) => i == 0 ? $" {s.Name} |" : $" {s.Name} | Δ |"))).Append('\n');
        text.Append("|---|").Append(string.Concat(settings.Select((_, i) => i == 0 ? "---:|" : "---:|---:|"))).Append('\n');
        foreach (var type in types)
        {
            Row(text, type, settings.Select(s => s.PerCellType.GetValueOrDefault(type)).ToList());
        }

        Row(text, "**all**", settings.Select(s => s.Overall).ToList());
        return text.ToString();
    }

    /// <summary>The summary as JSON: <c>{metric, settings: [{name, overall: {mean, sd, values}, perCellType: {TYPE: {...}}}]}</c> (NaN written as null).</summary>
    public static JsonObject ToJson(IReadOnlyList<StudySetting> settings, string metric = "F1")
    {
        ArgumentNullException.ThrowIfNull(settings);
        var list = new JsonArray();
        foreach (var s in settings)
        {
            var types = new JsonObject();
            foreach (var (type, score) in s.PerCellType.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                types[type] = Json(score);
            }

            list.Add(new JsonObject { ["name"] = s.Name, ["overall"] = Json(s.Overall), ["perCellType"] = types });
        }

        return new JsonObject { ["metric"] = metric, ["settings"] = list };
    }

    /// <summary>Writes the Markdown table and the JSON, each through a temporary file.</summary>
    public static async Task WriteAsync(IReadOnlyList<StudySetting> settings, string metric, string markdownPath, string jsonPath, CancellationToken cancellationToken = default)
    {
        await WriteTextAsync(markdownPath, ToMarkdown(settings, metric), cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(jsonPath, ToJson(settings, metric).ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        var temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, text, cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }

    private static void Row(StringBuilder text, string label, IReadOnlyList<StudyScore?> scores)
    {
        text.Append(CultureInfo.InvariantCulture, $"| {label} |");
        var baseline = scores.Count > 0 ? scores[0]?.Mean ?? double.NaN : double.NaN;
        for (var i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            text.Append(s is null || !double.IsFinite(s.Mean) ? " – |" : string.Create(CultureInfo.InvariantCulture, $" {s.Mean:0.000} ± {(double.IsFinite(s.StandardDeviation) ? s.StandardDeviation.ToString("0.000", CultureInfo.InvariantCulture) : "–")} ({s.Values.Count(double.IsFinite)}) |"));
            if (i > 0)
            {
                text.Append(s is not null && double.IsFinite(s.Mean) && double.IsFinite(baseline) ? string.Create(CultureInfo.InvariantCulture, $" {s.Mean - baseline:+0.000;-0.000;0.000} |") : " – |");
            }
        }

        text.Append('\n');
    }

    private static JsonObject Json(StudyScore score) => new()
    {
        ["mean"] = Number(score.Mean),
        ["sd"] = Number(score.StandardDeviation),
        ["values"] = new JsonArray([.. score.Values.Select(Number)]),
    };

    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
