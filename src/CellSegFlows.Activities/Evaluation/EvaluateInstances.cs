using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Data.Coco;
using CellSeg.Data.IO;
using CellSeg.Data.Livecell;
using CellSeg.Metrics.Reports;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Evaluation;

/// <summary>COCO AP/AR/AFNR (pycocotools-exact) and F1 of union masks, overall and per cell type; reports as artifacts and metrics.</summary>
[Activity("EvaluateInstances", Category = "Evaluation", Description = "COCO segm evaluation exactly as pycocotools (LIVECell or COCO settings), AFNR, F1 of union masks, per cell type.")]
public sealed class EvaluateInstances : Activity<EvaluateInstances.Input, EvaluateInstances.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("COCO ground truth.")] ArtifactRef Annotations,
        [property: Port("COCO results files (e.g. one per image), concatenated; with 'names', one file per name (e.g. a mapped PredictInstances' outputs).")] IReadOnlyList<ArtifactRef> Predictions,
        [property: Port("livecell or coco.")] string Preset = "livecell",
        [property: Port("Add one row per cell type.")] bool ByCellType = true,
        [property: Port("Score a detection needs to count in the F1 mask.")] double ScoreThreshold = 0.5,
        [property: Port("Names of the models whose results are compared (e.g. FinetuneCenterMask's 'name' outputs): one table row group per model.")] IReadOnlyList<string>? Names = null);

    /// <summary>Outputs. With several models, the figures are those of the one with the best AP.</summary>
    public sealed record Output(
        [property: Port("The report as JSON (pycocotools field names); with several models, {models: [{name, report}]}.")] ArtifactRef Report,
        [property: Port("The table as Markdown.")] ArtifactRef Table,
        [property: Port("AP at IoU 0.50:0.95.")] double Ap,
        [property: Port("AP at IoU 0.50.")] double Ap50,
        [property: Port("Average false-negative ratio.")] double Afnr,
        [property: Port("Pooled F1 of union masks.")] double F1,
        [property: Port("The model with the best AP (its name; empty for one unnamed set).")] string Best = "");

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var sets = PredictionSets(input);
        var reports = new List<(string Name, EvaluationReport Report)>();
        for (var k = 0; k < sets.Count; k++)
        {
            var (name, files) = sets[k];
            var merged = new List<CocoDetection>();
            foreach (var file in files)
            {
                merged.AddRange((await CocoReader.LoadDetectionsAsync(context.Artifacts.GetPath(file), cancellationToken: ct).ConfigureAwait(false)).Detections);
            }

            var predictions = Path.Combine(context.WorkFolder, sets.Count == 1 ? "predictions.json" : $"predictions-{k}.json");
            await CocoWriter.WriteDetectionsAsync(merged, predictions, ct).ConfigureAwait(false);
            var index = k;
            var report = await CellSeg.Metrics.Reports.Evaluation.RunAsync(context.Artifacts.GetPath(input.Annotations), predictions, new EvaluationOptions
            {
                Preset = input.Preset,
                GroupOf = input.ByCellType ? image => CellTypes.TryFromFileName(image.FileName, out var type) ? type : null : null,
                SemanticScoreThreshold = input.ScoreThreshold,
                Progress = new CellSeg.Data.SyncProgress<(string Phase, double Fraction)>(p => context.Progress.Report(new StepProgress((index + p.Fraction) / sets.Count, name.Length > 0 ? $"{name}: {p.Phase}" : p.Phase))),
            }, ct).ConfigureAwait(false);
            reports.Add((name, report));
            var prefix = name.Length > 0 && sets.Count > 1 ? name + "/" : string.Empty;
            var s = report.Overall.Coco;
            context.ReportMetric(prefix + "AP", s.AP, null);
            context.ReportMetric(prefix + "AP50", s.AP50, null);
            context.ReportMetric(prefix + "AP75", s.AP75, null);
            context.ReportMetric(prefix + "AFNR", s.AFNR, null);
            context.ReportMetric(prefix + "F1", report.Overall.Semantic?.F1 ?? double.NaN, null);
            foreach (var row in report.PerGroup)
            {
                context.ReportMetric($"{prefix}AP/{row.Name}", row.Coco.AP, null);
                context.ReportMetric($"{prefix}AFNR/{row.Name}", row.Coco.AFNR, null);
            }
        }

        var jsonPath = Path.Combine(context.WorkFolder, "report.json");
        var mdPath = Path.Combine(context.WorkFolder, "report.md");
        if (reports.Count == 1)
        {
            await ReportJson.WriteAsync(reports[0].Report, jsonPath, ct).ConfigureAwait(false);
            await ReportMarkdown.WriteAsync(reports[0].Report, mdPath, ct).ConfigureAwait(false);
        }
        else
        {
            var models = new JsonArray();
            foreach (var (name, report) in reports)
            {
                models.Add(new JsonObject { ["name"] = name, ["report"] = JsonNode.Parse(ReportJson.ToJson(report)) });
            }

            await AtomicFile.WriteAsync(jsonPath, async (stream, token) =>
                await stream.WriteAsync(Encoding.UTF8.GetBytes(new JsonObject { ["models"] = models }.ToJsonString(new JsonSerializerOptions { WriteIndented = true })), token).ConfigureAwait(false), ct).ConfigureAwait(false);
            await AtomicFile.WriteAsync(mdPath, async (stream, token) =>
                await stream.WriteAsync(Encoding.UTF8.GetBytes(ReportMarkdown.CompareToMarkdown(reports)), token).ConfigureAwait(false), ct).ConfigureAwait(false);
        }

        var best = reports.MaxBy(r => r.Report.Overall.Coco.AP);
        var b = best.Report.Overall.Coco;
        return new Output(
            await context.Artifacts.PutFileAsync(jsonPath, "report.json", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(mdPath, "report.md", ct).ConfigureAwait(false),
            b.AP, b.AP50, b.AFNR, best.Report.Overall.Semantic?.F1 ?? double.NaN, best.Name);
    }

    /// <summary>The prediction files of each model: everything as one unnamed set, or one file per name.</summary>
    private static List<(string Name, List<ArtifactRef> Files)> PredictionSets(Input input)
    {
        if (input.Predictions.Count == 0)
        {
            throw new ActivityInputException("predictions", "no predictions to evaluate");
        }

        if (input.Names is not { Count: > 0 } names)
        {
            return [(string.Empty, input.Predictions.ToList())];
        }

        if (names.Count != input.Predictions.Count)
        {
            throw new ActivityInputException("names", $"{names.Count} names but {input.Predictions.Count} prediction files: give one results file per name");
        }

        return [.. names.Select((n, i) => (n, new List<ArtifactRef> { input.Predictions[i] }))];
    }
}
