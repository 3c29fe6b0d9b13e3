using System.Text.Json.Nodes;

namespace CellSeg.Metrics.RunReports;

/// <summary>A model's scores on one row (the whole test set or one cell type); null where the run did not measure it.</summary>
/// <param name="F1">Pooled pixel F1 (= Dice).</param>
/// <param name="Ap">COCO AP at IoU 0.50:0.95.</param>
/// <param name="Afnr">Average false-negative ratio.</param>
/// <param name="Images">Images in the row.</param>
/// <param name="ApPerIou">AP at each IoU threshold 0.50:0.05:0.95.</param>
/// <param name="PrIou50">Precision at each recall threshold at IoU 0.50.</param>
/// <param name="PrIou75">Precision at each recall threshold at IoU 0.75.</param>
public sealed record RowScores(double? F1, double? Ap, double? Afnr, int? Images, IReadOnlyList<double>? ApPerIou = null, IReadOnlyList<double>? PrIou50 = null, IReadOnlyList<double>? PrIou75 = null)
{
    /// <summary>The value of F1, AP or AFNR.</summary>
    public double? Get(string metric) => metric switch { "F1" => F1, "AP" => Ap, "AFNR" => Afnr, _ => null };
}

/// <summary>One model of a run with its scores per row (<see cref="PaperReference.WholeSet"/> and the cell types).</summary>
/// <param name="Model">Its name in the run.</param>
/// <param name="Rows">Scores by row.</param>
/// <param name="RecallThresholds">The recall axis of the PR curves (instance reports), or empty.</param>
public sealed record ModelResult(string Model, IReadOnlyDictionary<string, RowScores> Rows, IReadOnlyList<double> RecallThresholds);

/// <summary>Reads EvaluateSemantic and EvaluateInstances report files into one list of models, merging a model found in both.</summary>
public static class RunResults
{
    /// <summary>The metrics of the report tables, in order; AFNR is better lower.</summary>
    public static IReadOnlyList<string> Metrics { get; } = ["F1", "AP", "AFNR"];

    /// <summary>Reads the files; F1 from a semantic report wins over an instance report's F1 of the same model.</summary>
    /// <exception cref="FormatException">A file is not an evaluation report; the message names it and the field.</exception>
    public static async Task<IReadOnlyList<ModelResult>> ReadAsync(IReadOnlyList<string> semanticReports, IReadOnlyList<string> instanceReports, IReadOnlyList<string>? instanceNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(semanticReports);
        ArgumentNullException.ThrowIfNull(instanceReports);
        var semantic = new List<ModelResult>();
        foreach (var path in semanticReports)
        {
            semantic.AddRange(ParseSemantic(path, await ReadJsonAsync(path, cancellationToken).ConfigureAwait(false)));
        }

        var instance = new List<ModelResult>();
        for (var i = 0; i < instanceReports.Count; i++)
        {
            var path = instanceReports[i];
            var fallback = instanceNames is { } names && i < names.Count && names[i].Length > 0 ? names[i] : "instances";
            instance.AddRange(ParseInstances(path, await ReadJsonAsync(path, cancellationToken).ConfigureAwait(false), fallback));
        }

        return Merge(semantic, instance);
    }

    /// <summary>An EvaluateSemantic report: <c>{split, models: [{model, overall: {f1, images}, perCellType: {TYPE: {...}}}]}</c>.</summary>
    public static IReadOnlyList<ModelResult> ParseSemantic(string path, JsonNode report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report["models"] is not JsonArray models || (models.Count > 0 && models[0]?["overall"] is null))
        {
            throw new FormatException($"{path}: not a semantic report (no 'models' with 'overall')");
        }

        var result = new List<ModelResult>();
        foreach (var m in models)
        {
            var name = m?["model"]?.GetValue<string>() ?? throw new FormatException($"{path}: a model without 'model'");
            var rows = new Dictionary<string, RowScores>(StringComparer.Ordinal)
            {
                [PaperReference.WholeSet] = SemanticScores(path, name, m["overall"]),
            };
            foreach (var (type, scores) in m["perCellType"] as JsonObject ?? [])
            {
                rows[type] = SemanticScores(path, name, scores);
            }

            result.Add(new ModelResult(name, rows, []));
        }

        return result;
    }

    /// <summary>An EvaluateInstances report (one model, or <c>{models: [{name, report}]}</c>).</summary>
    public static IReadOnlyList<ModelResult> ParseInstances(string path, JsonNode report, string unnamed = "instances")
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report["models"] is JsonArray models)
        {
            return [.. models.Select(m => OneInstanceModel(path, (m?["name"]?.GetValue<string>()) is { Length: > 0 } n ? n : unnamed, m?["report"] ?? throw new FormatException($"{path}: a model without 'report'")))];
        }

        return [OneInstanceModel(path, unnamed, report)];
    }

    private static ModelResult OneInstanceModel(string path, string name, JsonNode report)
    {
        if (report["AP"] is null || report["AFNR"] is null)
        {
            throw new FormatException($"{path}: not an instance report (no 'AP' and 'AFNR')");
        }

        var rows = new Dictionary<string, RowScores>(StringComparer.Ordinal) { [PaperReference.WholeSet] = InstanceScores(report) };
        foreach (var (type, row) in report["per_cell_type"] as JsonObject ?? [])
        {
            rows[type] = InstanceScores(row!);
        }

        return new ModelResult(name, rows, Numbers(report["recall_thresholds"]) ?? []);
    }

    private static RowScores SemanticScores(string path, string model, JsonNode? node)
    {
        if (node is not JsonObject o)
        {
            throw new FormatException($"{path}: model '{model}' has a row without scores");
        }

        return new RowScores(Number(o["f1"]), null, null, o["images"]?.GetValue<int>());
    }

    private static RowScores InstanceScores(JsonNode row) =>
        new(Number(row["F1"]), Valid(Number(row["AP"])), Valid(Number(row["AFNR"])), row["n_images"]?.GetValue<int>(),
            Numbers(row["AP_per_iou"]), Numbers(row["pr_iou50"]), Numbers(row["pr_iou75"]));

    private static List<ModelResult> Merge(List<ModelResult> semantic, List<ModelResult> instance)
    {
        var merged = new List<ModelResult>(semantic);
        foreach (var inst in instance)
        {
            var i = merged.FindIndex(m => m.Model.Equals(inst.Model, StringComparison.OrdinalIgnoreCase));
            if (i < 0)
            {
                merged.Add(inst);
                continue;
            }

            var sem = merged[i];
            var rows = new Dictionary<string, RowScores>(StringComparer.Ordinal);
            foreach (var key in sem.Rows.Keys.Union(inst.Rows.Keys))
            {
                var s = sem.Rows.GetValueOrDefault(key);
                var n = inst.Rows.GetValueOrDefault(key);
                rows[key] = n is null ? s! : n with { F1 = s?.F1 ?? n.F1, Images = s?.Images ?? n.Images };
            }

            merged[i] = new ModelResult(sem.Model, rows, inst.RecallThresholds);
        }

        return merged;
    }

    private static async Task<JsonNode> ReadJsonAsync(string path, CancellationToken ct)
    {
        try
        {
            return JsonNode.Parse(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false)) ?? throw new FormatException($"{path}: empty JSON");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new FormatException($"{path}: not JSON ({e.Message})", e);
        }
    }

    private static double? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d) ? d : null;

    // pycocotools writes −1 for "no ground truth"; the report shows that as missing.
    private static double? Valid(double? value) => value is < 0 ? null : value;

    private static double[]? Numbers(JsonNode? node) => node is JsonArray a ? [.. a.Select(x => x!.GetValue<double>())] : null;
}
