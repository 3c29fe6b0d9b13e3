using System.Text.Json.Nodes;
using CellSeg.Metrics.RunReports;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Analysis;

/// <summary>The paper's tables and figures for this run's results: one self-contained HTML page, its JSON and Markdown.</summary>
[Activity("Report", Category = "Analysis", Description = "The run's scores in the paper's table layout (LIVECell and the 8 cell types × model, F1/AP/AFNR) beside the paper's values, with PR curves, AP per IoU, bars per cell type, training curves, the datasets' PCA and synthetic previews, and TP/FP/FN mask overlays of instance and U-Net models side by side per cell type; one self-contained HTML file plus JSON and Markdown.")]
public sealed class Report : Activity<Report.Input, Report.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("EvaluateSemantic reports (its 'report' outputs).")] JsonNode? SemanticReports = null,
        [property: Port("EvaluateInstances reports (its 'report' outputs).")] JsonNode? InstanceReports = null,
        [property: Port("The model name of each instance report that holds one unnamed model, in order (a list, or lists of them).")] JsonNode? InstanceNames = null,
        [property: Port("Training histories (TrainUNet's or FinetuneCenterMask's 'history' outputs).")] JsonNode? Histories = null,
        [property: Port("The histories' model names, in order (the training nodes' 'name' outputs; a list, or lists of them).")] JsonNode? HistoryNames = null,
        [property: Port("COCO ground truth of the evaluated split, for the overlays.")] ArtifactRef? Annotations = null,
        [property: Port("Its images, for the overlays.")] JsonNode? Images = null,
        [property: Port("COCO results to overlay: one model's files (e.g. SegmentImageClassical's per image), or one file per model (a mapped PredictInstances) when predictionNames names each; a list of lists is one model per list.")] JsonNode? Predictions = null,
        [property: Port("The overlaid models' names, in order; default: predictions, predictions 2, ...")] JsonNode? PredictionNames = null,
        [property: Port("U-Net masks to overlay (EvaluateSemantic's 'predictedMasks'; lists of them are joined).")] JsonNode? SemanticMasks = null,
        [property: Port("The models drawn in the overlays, in order; empty: every model given (at most 8).")] IReadOnlyList<string>? OverlayModels = null,
        [property: Port("Overlay images per cell type and model (1-8).")] int OverlayImagesPerCellType = 2,
        [property: Port("PCA scatter plots (DatasetPca's 'plot' outputs), shown as the paper's Figures 1-2.")] JsonNode? PcaPlots = null,
        [property: Port("What each PCA plot shows, in order; default: its node's artifact name.")] IReadOnlyList<string>? PcaNames = null,
        [property: Port("Synthetic preview sheets (GenerateSynthetic's 'preview'; of a mapped node the first is shown), as the paper's Figure 4.")] JsonNode? SyntheticPreviews = null,
        [property: Port("What each preview (or each mapped node's previews) shows, in order.")] IReadOnlyList<string>? SyntheticPreviewNames = null,
        [property: Port("The run's budget (BudgetSettings' 'settings'), named in the report's heading.")] JsonObject? Budget = null,
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
        var historyNames = Strings(input.HistoryNames, "historyNames");
        var images = ArtifactFolders.Flatten(input.Images).GroupBy(a => a.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        string? ImagePath(string fileName) => images.TryGetValue(fileName, out var a) ? context.Artifacts.GetPath(a) : null;
        string GroundTruth(string port) => context.Artifacts.GetPath(input.Annotations ?? throw new ActivityInputException(port, $"{port} to overlay need the ground truth they were made on: give 'annotations'"));

        var overlays = new List<OverlaySource>();
        var predictionNames = Strings(input.PredictionNames, "predictionNames");
        var predictionSets = ArtifactFolders.Sets(input.Predictions);
        if (predictionSets.Count == 1 && predictionNames.Count > 1 && predictionNames.Count == predictionSets[0].Count)
        {
            // A mapped PredictInstances: one results file per model, each named.
            predictionSets = [.. predictionSets[0].Select(p => new List<ArtifactRef> { p })];
        }

        for (var k = 0; k < predictionSets.Count; k++)
        {
            var name = k < predictionNames.Count ? predictionNames[k] : k == 0 ? "predictions" : $"predictions {k + 1}";
            overlays.Add(new OverlaySource(name, GroundTruth("predictions"), [.. predictionSets[k].Select(context.Artifacts.GetPath)], ImagePath));
        }

        var semanticOverlays = new List<SemanticOverlaySource>();
        foreach (var kept in KeptMasks(input.SemanticMasks))
        {
            var masks = ArtifactFolders.Flatten(kept["masks"]).GroupBy(a => a.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var model = kept["model"] is JsonValue v && v.TryGetValue<string>(out var text) ? text : throw new ActivityInputException("semanticMasks", $"an entry without 'model': {kept.ToJsonString()}");
            semanticOverlays.Add(new SemanticOverlaySource(model, GroundTruth("semanticMasks"),
                file => masks.TryGetValue(CellSeg.Metrics.Binary.MaskFolderEvaluator.MaskFileName(file), out var a) ? context.Artifacts.GetPath(a) : null, ImagePath));
        }

        var pca = ArtifactFolders.Flatten(input.PcaPlots).ToList();
        var previews = ArtifactFolders.Sets(input.SyntheticPreviews);
        if (previews.Count == 1 && input.SyntheticPreviewNames is { Count: > 1 } n && n.Count == previews[0].Count)
        {
            previews = [.. previews[0].Select(p => new List<ArtifactRef> { p })];
        }

        context.Progress.Report(new StepProgress(0.1, "reading reports"));
        var report = await RunReportBuilder.BuildAsync(new RunReportSources
        {
            Title = input.Title.Length > 0 ? input.Title : $"Run {context.RunId}",
            RunId = context.RunId,
            SemanticReports = [.. ArtifactFolders.Flatten(input.SemanticReports).Select(context.Artifacts.GetPath)],
            InstanceReports = [.. ArtifactFolders.Flatten(input.InstanceReports).Select(context.Artifacts.GetPath)],
            InstanceReportNames = Strings(input.InstanceNames, "instanceNames"),
            Histories = [.. histories.Select((h, i) => new HistorySource(i < historyNames.Count ? historyNames[i] : Path.GetFileNameWithoutExtension(h.Name), context.Artifacts.GetPath(h)))],
            Overlays = overlays,
            SemanticOverlays = semanticOverlays,
            OverlayModels = input.OverlayModels ?? [],
            PcaPlots = [.. pca.Select((p, i) => new PictureSource(input.PcaNames is { } names && i < names.Count ? names[i] : $"PCA {i + 1}", context.Artifacts.GetPath(p)))],
            SyntheticPreviews = [.. previews.Select((set, i) => new PictureSource(
                input.SyntheticPreviewNames is { } names && i < names.Count ? names[i] : $"synthetic set {i + 1}", context.Artifacts.GetPath(set[0])))],
            Budget = BudgetLine(input.Budget),
            OverlayImagesPerCellType = input.OverlayImagesPerCellType,
            StepsMissing = "a Report node runs inside its run, before the run ends: `cellsegflows report RUN_ID` adds the Gantt of the finished run",
        }, cancellationToken: ct).ConfigureAwait(false);
        var files = await RunReportWriter.WriteAsync(report, context.WorkFolder, ct).ConfigureAwait(false);
        return new Output(
            await context.Artifacts.PutFileAsync(files.Html, "report.html", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(files.Json, "report.json", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(files.Markdown, "report.md", ct).ConfigureAwait(false));
    }

    /// <summary>The budget in a line: "NAME: description" from BudgetSettings' settings.</summary>
    internal static string? BudgetLine(JsonObject? settings)
    {
        if (settings is null)
        {
            return null;
        }

        static string? Text(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
        var name = Text(settings["name"]) ?? "custom";
        return Text(settings["description"]) is { } description ? $"{name}: {description}" : name;
    }

    // Names given as a list, or lists of lists (several nodes' 'name' outputs), in order.
    private static List<string> Strings(JsonNode? node, string input)
    {
        var names = new List<string>();
        void Add(JsonNode? n)
        {
            switch (n)
            {
                case null:
                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        Add(item);
                    }

                    break;
                case JsonValue v when v.TryGetValue<string>(out var s):
                    names.Add(s);
                    break;
                default:
                    throw new ActivityInputException(input, $"{input} should be names (strings, or lists of them), not {n.ToJsonString()}");
            }
        }

        Add(node);
        return names;
    }

    // EvaluateSemantic's {model, masks} entries, in lists at any depth.
    private static IEnumerable<JsonObject> KeptMasks(JsonNode? node) => node switch
    {
        null => [],
        JsonObject o when o.ContainsKey("masks") => [o],
        JsonArray a => a.SelectMany(KeptMasks),
        _ => throw new ActivityInputException("semanticMasks", $"semanticMasks should be EvaluateSemantic's predictedMasks, not {node.ToJsonString()}"),
    };
}
