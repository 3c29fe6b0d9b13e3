using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Data.Livecell;
using CellSeg.Metrics.Binary;
using CellSeg.Models;
using CellSeg.Models.Data;
using CellSeg.Models.Evaluation;
using CellSeg.Models.Inference;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Evaluation;

/// <summary>F1/Dice of one or more semantic models per cell type on a split (the paper's Tables 1–2), and optionally of an instance model's union masks beside them (Tables 3–4).</summary>
[Activity("EvaluateSemantic", Category = "Evaluation", Queue = "gpu", Description = "Pooled F1/Dice of the cell masks of each model, per cell type and overall, on a split; a Markdown table with one column per model, JSON with every score, metrics in the run history.")]
public sealed class EvaluateSemantic : Activity<EvaluateSemantic.Input, EvaluateSemantic.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("The models (e.g. the outputs of a mapped TrainUNet); none (and no masks): an empty report, as for a champion that does not exist yet.")] IReadOnlyList<ArtifactRef> Models,
        [property: Port("COCO ground truth of the evaluation split.")] ArtifactRef Annotations,
        [property: Port("Its images.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("The models' names in the table, in order (e.g. TrainUNet's 'name' outputs); default: their file names.")] IReadOnlyList<string>? Names = null,
        [property: Port("The split's name in the report.")] string Split = "test",
        [property: Port("Probability above which a pixel is a cell.")] double Threshold = 0.5,
        [property: Port("Binary mask PNGs of instance models, one per image (InstancesToSemantic's masks): a list is one set, a list of lists (a mapped InstancesToSemantic) one set per model; each set is one more column, after the models.")] JsonNode? Masks = null,
        [property: Port("The mask sets' column names, in order (e.g. FinetuneCenterMask's 'name' outputs); default: CenterMask, CenterMask 2, ...")] IReadOnlyList<string>? MaskNames = null,
        [property: Port("Keep each model's predicted masks of this many images per cell type (the first by file name, as a report's overlays take them); 0: none.")] int KeepMasksPerCellType = 0);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("F1 per cell type and model (Markdown).")] ArtifactRef Table,
        [property: Port("Every score, per model, cell type and image (JSON).")] ArtifactRef Report,
        [property: Port("Overall pooled F1 of each model, in order.")] IReadOnlyList<double> F1,
        [property: Port("The model with the best overall F1 (empty when nothing was scored).")] string Best,
        [property: Port("The kept masks (keepMasksPerCellType): one {model, masks} per model of 'models', masks as binary PNGs named after their images; empty when none are kept.")] JsonNode PredictedMasks);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var maskSets = ArtifactFolders.Sets(input.Masks);
        var table = Path.Combine(context.WorkFolder, "semantic.md");
        var json = Path.Combine(context.WorkFolder, "semantic.json");
        if (input.Models.Count == 0 && maskSets.Count == 0)
        {
            // Nothing to score (e.g. a champion that does not exist yet): an empty report, which a gate reads as "none".
            await SemanticReport.WriteMarkdownAsync([], input.Split, table, ct).ConfigureAwait(false);
            await SemanticReport.WriteJsonAsync([], input.Split, json, ct).ConfigureAwait(false);
            return new Output(
                await context.Artifacts.PutFileAsync(table, "semantic.md", ct).ConfigureAwait(false),
                await context.Artifacts.PutFileAsync(json, "semantic.json", ct).ConfigureAwait(false),
                [], string.Empty, new JsonArray());
        }

        var folder = ArtifactFolders.Stage(input.Images, context.Artifacts, Path.Combine(context.WorkFolder, "images"));
        var dataset = await SegmentationDataset.LoadAsync(context.Artifacts.GetPath(input.Annotations), folder, cancellationToken: ct).ConfigureAwait(false);
        if (input.KeepMasksPerCellType is < 0 or > 100)
        {
            throw new ActivityInputException("keepMasksPerCellType", $"{input.KeepMasksPerCellType} is outside 0-100");
        }

        var kept = dataset.Samples
            .GroupBy(s => CellTypes.TryFromFileName(s.FileName, out var t) ? t : "other")
            .SelectMany(g => g.OrderBy(s => s.FileName, StringComparer.Ordinal).Take(input.KeepMasksPerCellType))
            .ToList();
        var predictedMasks = new JsonArray();
        var results = new List<NamedEvaluation>();
        for (var m = 0; m < input.Models.Count; m++)
        {
            var name = input.Names is { } names && m < names.Count ? names[m] : Path.GetFileNameWithoutExtension(input.Models[m].Name);
            using var model = SegmentationModel.Load(context.Artifacts.GetPath(input.Models[m]), context.Device);
            var segmenter = new UNetSegmenter(model, new SegmenterOptions { Threshold = input.Threshold });
            var index = m;
            var evaluation = await SemanticEvaluator.EvaluateAsync(
                segmenter, dataset,
                new CellSeg.Data.SyncProgress<EvaluationProgress>(p => context.Progress.Report(new StepProgress((index + (double)p.Done / p.Total) / input.Models.Count, $"{name}: {p.FileName}"))),
                ct).ConfigureAwait(false);
            results.Add(new NamedEvaluation(name, evaluation));
            context.ReportMetric($"F1/{name}", evaluation.Overall.F1, null);
            foreach (var (type, scores) in evaluation.PerCellType)
            {
                context.ReportMetric($"F1/{name}/{type}", scores.F1, null);
            }

            if (kept.Count > 0)
            {
                predictedMasks.Add(await KeepMasksAsync(segmenter, kept, name, Path.Combine(context.WorkFolder, $"kept-{m}"), context).ConfigureAwait(false));
            }
        }

        for (var k = 0; k < maskSets.Count; k++)
        {
            var name = input.MaskNames is { } maskNames && k < maskNames.Count ? maskNames[k] : k == 0 ? "CenterMask" : $"CenterMask {k + 1}";
            var masksFolder = ArtifactFolders.Stage(maskSets[k], context.Artifacts, Path.Combine(context.WorkFolder, $"masks-{k}"));
            var index = k;
            var evaluation = await MaskFolderEvaluator.EvaluateAsync(dataset.GroundTruth(), masksFolder,
                new CellSeg.Data.SyncProgress<EvaluationProgress>(p => context.Progress.Report(new StepProgress((index + (double)p.Done / p.Total) / maskSets.Count, $"{name}: {p.FileName}"))),
                ct).ConfigureAwait(false);
            results.Add(new NamedEvaluation(name, evaluation));
            context.ReportMetric($"F1/{name}", evaluation.Overall.F1, null);
            foreach (var (type, scores) in evaluation.PerCellType)
            {
                context.ReportMetric($"F1/{name}/{type}", scores.F1, null);
            }
        }

        await SemanticReport.WriteMarkdownAsync(results, input.Split, table, ct).ConfigureAwait(false);
        await SemanticReport.WriteJsonAsync(results, input.Split, json, ct).ConfigureAwait(false);
        var f1 = results.Select(r => r.Evaluation.Overall.F1).ToList();
        return new Output(
            await context.Artifacts.PutFileAsync(table, "semantic.md", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(json, "semantic.json", ct).ConfigureAwait(false),
            f1,
            results.MaxBy(r => double.IsFinite(r.Evaluation.Overall.F1) ? r.Evaluation.Overall.F1 : -1)!.Model,
            predictedMasks);
    }

    // The masks of a few images again (the evaluation keeps none), as binary PNGs (255: cell) named as MaskFolderEvaluator reads them.
    private static async Task<JsonObject> KeepMasksAsync(UNetSegmenter segmenter, IReadOnlyList<SegmentationSample> samples, string model, string folder, ActivityContext context)
    {
        var ct = context.CancellationToken;
        Directory.CreateDirectory(folder);
        var masks = new JsonArray();
        foreach (var sample in samples)
        {
            ct.ThrowIfCancellationRequested();
            var mask = segmenter.PredictMask(sample.Image, sample.CellType);
            var pixels = new byte[mask.Data.Length];
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = mask.Data[i] == 0 ? (byte)0 : (byte)255;
            }

            var name = MaskFolderEvaluator.MaskFileName(sample.FileName);
            var path = Path.Combine(folder, name);
            await CellSeg.Data.Imaging.GrayImageIO.WritePngAsync(new CellSeg.Data.Imaging.GrayImage(mask.Width, mask.Height, pixels), path, ct).ConfigureAwait(false);
            masks.Add(JsonSerializer.SerializeToNode(await context.Artifacts.PutFileAsync(path, name, ct).ConfigureAwait(false), ActivityJson.Options));
        }

        return new JsonObject { ["model"] = model, ["masks"] = masks };
    }
}
