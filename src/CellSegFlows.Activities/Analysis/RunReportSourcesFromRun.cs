using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CellSeg.Metrics.RunReports;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Activities.Analysis;

/// <summary>
/// Finds a finished (or running) run's report inputs in its records: the reports of its EvaluateSemantic and
/// EvaluateInstances steps, the histories of its training steps, the predictions an EvaluateInstances step scored
/// (with the ground truth and the images of the data step that produced that ground truth), and every step's timing,
/// worker, queue and device. What <c>cellsegflows report RUN_ID</c> and the server's report of a run are built from.
/// </summary>
public static partial class RunReportSourcesFromRun
{
    private static readonly Lazy<PaperReference> Paper = new(PaperReference.Load);

    /// <summary>The sources of a run's report; artifacts the store no longer holds are left out.</summary>
    public static RunReportSources Collect(RunDetail run, IArtifactStore artifacts)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(artifacts);
        var done = run.Steps.Where(s => (s.Status is StepStatus.Succeeded or StepStatus.Cached) && s.OutputsJson is not null)
            .OrderBy(s => s.NodeId, StringComparer.Ordinal).ThenBy(s => s.MapIndex ?? -1).ToList();
        string? PathOf(JsonNode? node) =>
            Artifact(node) is { } a && artifacts.Contains(a.Hash) ? artifacts.GetPath(a) : null;

        var semantic = new List<string>();
        var instance = new List<string>();
        var instanceNames = new List<string>();
        var histories = new List<HistorySource>();
        var overlays = new List<OverlaySource>();
        var semanticOverlays = new List<SemanticOverlaySource>();
        var pca = new List<PictureSource>();
        var previews = new List<PictureSource>();
        var previewNodes = new HashSet<string>(StringComparer.Ordinal);
        string? budget = null;

        // A Report node of the run says which models to overlay and what its pictures show: the CLI's page says the same.
        var reportNode = done.FirstOrDefault(s => s.Activity == "Report");
        var reportInputs = JsonNode.Parse(reportNode?.InputsJson ?? "{}") as JsonObject ?? [];
        var pictureNames = PictureNames(reportInputs, "pcaPlots", "pcaNames").Concat(PictureNames(reportInputs, "syntheticPreviews", "syntheticPreviewNames"))
            .GroupBy(p => p.Hash, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var pictureOrder = pictureNames.Values.Distinct(StringComparer.Ordinal).ToList();
        int OrderOf(PictureSource p) => pictureOrder.IndexOf(p.Name) is >= 0 and var i ? i : int.MaxValue;
        string Named(JsonNode? artifact, string fallback) => Artifact(artifact) is { } a && pictureNames.TryGetValue(a.Hash, out var name) ? name : fallback;
        var overlayModels = reportInputs["overlayModels"] is JsonArray chosen ? chosen.Select(m => m?.GetValue<string>() ?? string.Empty).Where(m => m.Length > 0).ToList() : [];
        foreach (var step in done)
        {
            var outputs = JsonNode.Parse(step.OutputsJson!) as JsonObject ?? [];
            switch (step.Activity)
            {
                case "EvaluateSemantic" when PathOf(outputs["report"]) is { } path:
                    semantic.Add(path);
                    semanticOverlays.AddRange(SemanticOverlays(step, outputs, done, artifacts));
                    break;
                case "DatasetPca" when PathOf(outputs["plot"]) is { } path:
                    pca.Add(new PictureSource(Named(outputs["plot"], $"{Label(step)} (DatasetPca)"), path));
                    break;
                case "GenerateSynthetic" when PathOf(outputs["preview"]) is { } path && previewNodes.Add(step.NodeId):
                    // Every element of a mapped node draws the same sheet: one per node.
                    previews.Add(new PictureSource(Named(outputs["preview"], $"{step.NodeId} (GenerateSynthetic)"), path));
                    break;
                case "BudgetSettings" when outputs["settings"] is JsonObject settings:
                    budget = Report.BudgetLine(settings);
                    break;
                case "EvaluateInstances" when PathOf(outputs["report"]) is { } path:
                    instance.Add(path);
                    instanceNames.Add(step.NodeId);
                    overlays.AddRange(Overlays(step, done, artifacts));
                    break;
                case "TrainUNet" or "FinetuneCenterMask" when PathOf(outputs["history"]) is { } path:
                    histories.Add(new HistorySource(outputs["name"]?.GetValue<string>() is { Length: > 0 } name ? name : Label(step), path));
                    break;
            }
        }

        var devices = run.Events
            .Where(e => e.Kind == "log" && e.Message is not null)
            .Select(e => (e.StepId, Match: DeviceLine().Match(e.Message!)))
            .Where(x => x.Match.Success)
            .GroupBy(x => x.StepId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Match.Groups[1].Value, StringComparer.Ordinal);
        var steps = run.Steps.Where(s => s.StartedAt is not null)
            .Select(s => new StepTiming(Label(s), s.Activity, s.Queue, s.Worker, devices.GetValueOrDefault(s.Id), s.Status.ToString(), s.StartedAt!.Value, s.FinishedAt))
            .ToList();
        return new RunReportSources
        {
            Title = $"{run.Run.WorkflowId}: run {run.Run.Id} ({run.Run.Status})",
            RunId = run.Run.Id,
            SemanticReports = semantic,
            InstanceReports = instance,
            InstanceReportNames = instanceNames,
            Histories = histories,
            Overlays = overlays,
            SemanticOverlays = semanticOverlays,
            OverlayModels = overlayModels,
            PcaPlots = [.. pca.OrderBy(OrderOf)],
            SyntheticPreviews = [.. previews.OrderBy(OrderOf)],
            Budget = budget,
            Steps = steps,
            StepsMissing = "no step of this run has started",
        };
    }

    /// <summary>The run's report page (HTML), as <c>cellsegflows report</c> writes it: what the server shows in the studio's run page.</summary>
    /// <exception cref="FormatException">A report input of the run is unreadable; the message names it.</exception>
    public static async Task<string> PageAsync(RunDetail run, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        var report = await RunReportBuilder.BuildAsync(Collect(run, artifacts), Paper.Value, cancellationToken).ConfigureAwait(false);
        return RunReportHtml.Render(report);
    }

    /// <summary>
    /// Two runs' tables side by side (<see cref="RunComparison.ToJson"/>): what the server's compare answers and the
    /// studio's compare view shows. Only the tables are built (no figures), so it is quick.
    /// </summary>
    /// <exception cref="FormatException">A report input of either run is unreadable; the message names it.</exception>
    public static async Task<JsonObject> CompareAsync(RunDetail a, RunDetail b, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        var ra = await TablesAsync(a, artifacts, cancellationToken).ConfigureAwait(false);
        var rb = await TablesAsync(b, artifacts, cancellationToken).ConfigureAwait(false);
        return RunComparison.ToJson(ra, rb);
    }

    // A report with only what the tables need: the evaluation reports.
    private static Task<RunReport> TablesAsync(RunDetail run, IArtifactStore artifacts, CancellationToken ct)
    {
        var all = Collect(run, artifacts);
        return RunReportBuilder.BuildAsync(new RunReportSources
        {
            Title = all.Title, RunId = all.RunId, SemanticReports = all.SemanticReports, InstanceReports = all.InstanceReports, InstanceReportNames = all.InstanceReportNames,
        }, Paper.Value, ct);
    }

    private static IEnumerable<OverlaySource> Overlays(StepRecord evaluate, IReadOnlyList<StepRecord> done, IArtifactStore artifacts)
    {
        var inputs = JsonNode.Parse(evaluate.InputsJson ?? "{}") as JsonObject ?? [];
        if (Artifact(inputs["annotations"]) is not { } annotations || !artifacts.Contains(annotations.Hash))
        {
            yield break;
        }

        var images = ImagesOf(annotations, done);
        string? PathOf(string fileName) => images.TryGetValue(fileName, out var a) && artifacts.Contains(a.Hash) ? artifacts.GetPath(a) : null;
        var predictions = ArtifactFolders.Flatten(inputs["predictions"]).Where(p => artifacts.Contains(p.Hash)).ToList();
        var names = inputs["names"] is JsonArray n ? n.Select(x => x?.GetValue<string>() ?? string.Empty).ToList() : [];
        if (names.Count > 0 && names.Count == predictions.Count)
        {
            for (var i = 0; i < names.Count; i++)
            {
                yield return new OverlaySource(names[i], artifacts.GetPath(annotations), [artifacts.GetPath(predictions[i])], PathOf);
            }
        }
        else if (predictions.Count > 0)
        {
            yield return new OverlaySource(evaluate.NodeId, artifacts.GetPath(annotations), [.. predictions.Select(artifacts.GetPath)], PathOf);
        }
    }

    // EvaluateSemantic's kept masks ({model, masks} per U-Net), drawn on the images of the data step of its ground truth.
    private static IEnumerable<SemanticOverlaySource> SemanticOverlays(StepRecord evaluate, JsonObject outputs, IReadOnlyList<StepRecord> done, IArtifactStore artifacts)
    {
        var inputs = JsonNode.Parse(evaluate.InputsJson ?? "{}") as JsonObject ?? [];
        if (outputs["predictedMasks"] is not JsonArray { Count: > 0 } kept || Artifact(inputs["annotations"]) is not { } annotations || !artifacts.Contains(annotations.Hash))
        {
            yield break;
        }

        var images = ImagesOf(annotations, done);
        string? PathOf(string fileName) => images.TryGetValue(fileName, out var a) && artifacts.Contains(a.Hash) ? artifacts.GetPath(a) : null;
        foreach (var entry in kept.OfType<JsonObject>())
        {
            if (entry["model"] is not JsonValue v || !v.TryGetValue<string>(out var model))
            {
                continue;
            }

            var masks = ArtifactFolders.Flatten(entry["masks"]).Where(m => artifacts.Contains(m.Hash))
                .GroupBy(m => m.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            yield return new SemanticOverlaySource(model, artifacts.GetPath(annotations),
                file => masks.TryGetValue(CellSeg.Metrics.Binary.MaskFolderEvaluator.MaskFileName(file), out var m) ? artifacts.GetPath(m) : null, PathOf);
        }
    }

    // A Report step's pictures (a list, or lists per mapped node: the first of each) with the names it gave them.
    private static IEnumerable<(string Hash, string Name)> PictureNames(JsonObject inputs, string pictures, string names)
    {
        if (inputs[pictures] is not JsonArray list || inputs[names] is not JsonArray given)
        {
            yield break;
        }

        var sets = ArtifactFolders.Sets(list);
        if (sets.Count == 1 && given.Count > 1 && sets[0].Count == given.Count)
        {
            sets = [.. sets[0].Select(a => new List<ArtifactRef> { a })];
        }

        for (var i = 0; i < sets.Count && i < given.Count; i++)
        {
            if (given[i] is JsonValue v && v.TryGetValue<string>(out var name))
            {
                foreach (var artifact in sets[i])
                {
                    yield return (artifact.Hash, name);
                }
            }
        }
    }

    // The images of the data step whose 'annotations' output is this ground truth.
    private static Dictionary<string, ArtifactRef> ImagesOf(ArtifactRef annotations, IReadOnlyList<StepRecord> done)
    {
        var images = new Dictionary<string, ArtifactRef>(StringComparer.Ordinal);
        foreach (var step in done)
        {
            var outputs = JsonNode.Parse(step.OutputsJson!) as JsonObject ?? [];
            if (Artifact(outputs["annotations"])?.Hash == annotations.Hash && outputs["images"] is JsonArray list)
            {
                foreach (var image in ArtifactFolders.Flatten(list))
                {
                    images.TryAdd(image.Name, image);
                }

                break;
            }
        }

        return images;
    }

    private static ArtifactRef? Artifact(JsonNode? node) =>
        node is JsonObject o && o["hash"]?.GetValue<string>() is { } hash && o["name"]?.GetValue<string>() is { } name
            ? new ArtifactRef(hash, name, o["size"]?.GetValue<long>() ?? 0)
            : null;

    private static string Label(StepRecord s) => s.MapIndex is { } i ? $"{s.NodeId}[{i.ToString(CultureInfo.InvariantCulture)}]" : s.NodeId;

    [GeneratedRegex(@"^device (\S+)")]
    private static partial Regex DeviceLine();
}
