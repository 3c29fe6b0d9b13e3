using System.Text.Json.Nodes;
using CellSeg.Metrics.RunReports;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Analysis;

/// <summary>The paper's tables and figures for this run's results: one self-contained HTML page, its JSON and Markdown.</summary>
[Activity("Report", Category = "Analysis", Description = "The run's scores in the paper's table layout (LIVECell and the 8 cell types × model, F1/AP/AFNR) beside the paper's values, with PR curves, AP per IoU, bars per cell type, training curves and TP/FP/FN mask overlays; one self-contained HTML file plus JSON and Markdown.")]
public sealed class Report : Activity<Report.Input, Report.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("EvaluateSemantic reports (its 'report' outputs).")] JsonNode? SemanticReports = null,
        [property: Port("EvaluateInstances reports (its 'report' outputs).")] JsonNode? InstanceReports = null,
        [property: Port("The model name of each instance report that holds one unnamed model, in order.")] IReadOnlyList<string>? InstanceNames = null,
        [property: Port("Training histories (TrainUNet's or FinetuneCenterMask's 'history' outputs).")] JsonNode? Histories = null,
        [property: Port("The histories' model names, in order (the training nodes' 'name' outputs).")] IReadOnlyList<string>? HistoryNames = null,
        [property: Port("COCO ground truth of the evaluated split, for the overlays.")] ArtifactRef? Annotations = null,
        [property: Port("Its images, for the overlays.")] JsonNode? Images = null,
        [property: Port("COCO results to overlay: a list is one model, a list of lists (a mapped PredictInstances) one per model.")] JsonNode? Predictions = null,
        [property: Port("The overlaid models' names, in order; default: predictions, predictions 2, ...")] IReadOnlyList<string>? PredictionNames = null,
        [property: Port("Overlay images per cell type and model (1-8).")] int OverlayImagesPerCellType = 2,
        [property: Port("The report's title.")] string Title = "");

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The self-contained page (HTML: inline CSS, images as data: URIs).")] ArtifactRef Html,
        [property: Port("The tables and notes (JSON).")] ArtifactRef Json,
        [property: Port("The tables (Markdown).")] ArtifactRef Markdown);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        if (input.OverlayImagesPerCellType is < 1 or > 8)
        {
            throw new ActivityInputException("overlayImagesPerCellType", $"{input.OverlayImagesPerCellType} is outside 1-8");
        }

        var histories = ArtifactFolders.Flatten(input.Histories).ToList();
        var overlays = new List<OverlaySource>();
        var predictionSets = ArtifactFolders.Sets(input.Predictions);
        if (predictionSets.Count > 0)
        {
            var annotations = input.Annotations ?? throw new ActivityInputException("annotations", "predictions to overlay need the ground truth they were made on");
            var images = ArtifactFolders.Flatten(input.Images).GroupBy(a => a.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            string? PathOf(string fileName) => images.TryGetValue(fileName, out var a) ? context.Artifacts.GetPath(a) : null;
            for (var k = 0; k < predictionSets.Count; k++)
            {
                var name = input.PredictionNames is { } names && k < names.Count ? names[k] : k == 0 ? "predictions" : $"predictions {k + 1}";
                overlays.Add(new OverlaySource(name, context.Artifacts.GetPath(annotations), [.. predictionSets[k].Select(context.Artifacts.GetPath)], PathOf));
            }
        }

        context.Progress.Report(new StepProgress(0.1, "reading reports"));
        var report = await RunReportBuilder.BuildAsync(new RunReportSources
        {
            Title = input.Title.Length > 0 ? input.Title : $"Run {context.RunId}",
            RunId = context.RunId,
            SemanticReports = [.. ArtifactFolders.Flatten(input.SemanticReports).Select(context.Artifacts.GetPath)],
            InstanceReports = [.. ArtifactFolders.Flatten(input.InstanceReports).Select(context.Artifacts.GetPath)],
            InstanceReportNames = input.InstanceNames ?? [],
            Histories = [.. histories.Select((h, i) => new HistorySource(input.HistoryNames is { } n && i < n.Count ? n[i] : Path.GetFileNameWithoutExtension(h.Name), context.Artifacts.GetPath(h)))],
            Overlays = overlays,
            OverlayImagesPerCellType = input.OverlayImagesPerCellType,
            StepsMissing = "a Report node runs inside its run, before the run ends: `cellsegflows report RUN_ID` adds the Gantt of the finished run",
        }, cancellationToken: ct).ConfigureAwait(false);
        var files = await RunReportWriter.WriteAsync(report, context.WorkFolder, ct).ConfigureAwait(false);
        return new Output(
            await context.Artifacts.PutFileAsync(files.Html, "report.html", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(files.Json, "report.json", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(files.Markdown, "report.md", ct).ConfigureAwait(false));
    }
}
