using CellSeg.Data.Coco;
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
        [property: Port("COCO results files (e.g. one per image); concatenated.")] IReadOnlyList<ArtifactRef> Predictions,
        [property: Port("livecell or coco.")] string Preset = "livecell",
        [property: Port("Add one row per cell type.")] bool ByCellType = true,
        [property: Port("Score a detection needs to count in the F1 mask.")] double ScoreThreshold = 0.5);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The report as JSON (pycocotools field names).")] ArtifactRef Report,
        [property: Port("The table as Markdown.")] ArtifactRef Table,
        [property: Port("AP at IoU 0.50:0.95.")] double Ap,
        [property: Port("AP at IoU 0.50.")] double Ap50,
        [property: Port("Average false-negative ratio.")] double Afnr,
        [property: Port("Pooled F1 of union masks.")] double F1);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var merged = new List<CocoDetection>();
        foreach (var file in input.Predictions)
        {
            merged.AddRange((await CocoReader.LoadDetectionsAsync(context.Artifacts.GetPath(file), cancellationToken: ct).ConfigureAwait(false)).Detections);
        }

        var predictions = Path.Combine(context.WorkFolder, "predictions.json");
        await CocoWriter.WriteDetectionsAsync(merged, predictions, ct).ConfigureAwait(false);
        var report = await CellSeg.Metrics.Reports.Evaluation.RunAsync(context.Artifacts.GetPath(input.Annotations), predictions, new EvaluationOptions
        {
            Preset = input.Preset,
            GroupOf = input.ByCellType ? image => CellTypes.TryFromFileName(image.FileName, out var type) ? type : null : null,
            SemanticScoreThreshold = input.ScoreThreshold,
            Progress = new CellSeg.Data.SyncProgress<(string Phase, double Fraction)>(p => context.Progress.Report(new StepProgress(p.Fraction, p.Phase))),
        }, ct).ConfigureAwait(false);
        var jsonPath = Path.Combine(context.WorkFolder, "report.json");
        var mdPath = Path.Combine(context.WorkFolder, "report.md");
        await ReportJson.WriteAsync(report, jsonPath, ct).ConfigureAwait(false);
        await ReportMarkdown.WriteAsync(report, mdPath, ct).ConfigureAwait(false);
        var s = report.Overall.Coco;
        var f1 = report.Overall.Semantic?.F1 ?? double.NaN;
        context.ReportMetric("AP", s.AP, null);
        context.ReportMetric("AP50", s.AP50, null);
        context.ReportMetric("AFNR", s.AFNR, null);
        context.ReportMetric("F1", f1, null);
        foreach (var row in report.PerGroup)
        {
            context.ReportMetric($"AP/{row.Name}", row.Coco.AP, null);
        }

        return new Output(
            await context.Artifacts.PutFileAsync(jsonPath, "report.json", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(mdPath, "report.md", ct).ConfigureAwait(false),
            s.AP, s.AP50, s.AFNR, f1);
    }
}
