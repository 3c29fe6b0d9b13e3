using System.Globalization;
using System.Text;
using System.Text.Json;
using CellSeg.Data.IO;
using CellSeg.Metrics.Binary;

namespace CellSeg.Models.Evaluation;

/// <summary>One model's semantic evaluation, under the name it has in the report.</summary>
public sealed record NamedEvaluation(string Model, SemanticEvaluation Evaluation);

/// <summary>
/// The paper's Tables 1–2 for a set of models on one split: pooled F1 per cell type (rows) and model
/// (columns), then precision, recall and the per-image mean F1 of each model over all images.
/// </summary>
public static class SemanticReport
{
    /// <summary>The row over every image.</summary>
    public const string AllRow = "all";

    /// <summary>The Markdown tables.</summary>
    public static string RenderMarkdown(IReadOnlyList<NamedEvaluation> models, string split)
    {
        ArgumentNullException.ThrowIfNull(models);
        var c = CultureInfo.InvariantCulture;
        var types = models.SelectMany(m => m.Evaluation.PerCellType.Keys).Distinct().Order(StringComparer.OrdinalIgnoreCase).ToList();
        var md = new StringBuilder();
        md.AppendLine(c, $"# Semantic segmentation, split `{split}`");
        md.AppendLine();
        md.AppendLine("Pooled F1 (= Dice) of the cell masks: every pixel of the split counted together, per cell type and over all images.");
        md.AppendLine();
        if (models.Count == 0)
        {
            md.AppendLine("No model was scored.");
            return md.ToString();
        }

        md.AppendLine("| cell type | " + string.Join(" | ", models.Select(m => m.Model)) + " |");
        md.AppendLine("|---|" + string.Concat(models.Select(_ => "---:|")));
        foreach (var type in types)
        {
            md.AppendLine("| " + type + " | " + string.Join(" | ", models.Select(m => m.Evaluation.PerCellType.TryGetValue(type, out var s) ? F(s.F1) : "–")) + " |");
        }

        md.AppendLine("| **" + AllRow + "** | " + string.Join(" | ", models.Select(m => "**" + F(m.Evaluation.Overall.F1) + "**")) + " |");
        md.AppendLine();
        md.AppendLine("| model | images | F1 | precision | recall | IoU | mean F1 per image |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var m in models)
        {
            var o = m.Evaluation.Overall;
            md.AppendLine(c, $"| {m.Model} | {o.ImageCount} | {F(o.F1)} | {F(o.Precision)} | {F(o.Recall)} | {F(o.Iou)} | {F(o.MeanImageF1)} |");
        }

        return md.ToString();
    }

    /// <summary>Writes the Markdown tables (atomically).</summary>
    public static Task WriteMarkdownAsync(IReadOnlyList<NamedEvaluation> models, string split, string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, (stream, ct) => stream.WriteAsync(Encoding.UTF8.GetBytes(RenderMarkdown(models, split)), ct).AsTask(), cancellationToken);

    /// <summary>Writes every score as JSON (atomically): per model, overall and per cell type, and per image.</summary>
    public static Task WriteJsonAsync(IReadOnlyList<NamedEvaluation> models, string split, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        var document = new
        {
            split,
            models = models.Select(m => new
            {
                model = m.Model,
                overall = Scores(m.Evaluation.Overall),
                perCellType = m.Evaluation.PerCellType.ToDictionary(p => p.Key, p => Scores(p.Value)),
                images = m.Evaluation.Images.Select(i => new { imageId = i.ImageId, fileName = i.FileName, cellType = i.CellType, f1 = Finite(i.Counts.F1) }),
            }),
        };
        return AtomicFile.WriteAsync(path, (stream, ct) => JsonSerializer.SerializeAsync(stream, document, new JsonSerializerOptions { WriteIndented = true }, ct), cancellationToken);
    }

    private static object Scores(SemanticScores s) => new
    {
        f1 = Finite(s.F1), precision = Finite(s.Precision), recall = Finite(s.Recall), iou = Finite(s.Iou), meanImageF1 = Finite(s.MeanImageF1), images = s.ImageCount,
    };

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "–";
}
