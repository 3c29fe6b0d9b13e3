using System.Text.Json.Nodes;
using CellSeg.Data.Coco;
using CellSeg.Synthesis.Diagnostics;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Data;

/// <summary>Compares real and synthetic images per cell type (what makes synthetic images mislead a network), as JSON and a self-contained HTML page.</summary>
[Activity("DiagnoseSynthetic", Category = "Data", Description = "Real vs synthetic images per cell type: intensity histograms and their distance, background texture and tile seams, the halo profile across cell boundaries, edge sharpness, cells per image and coverage, the share of training crops the sampler draws from synthetic images; JSON and an HTML page with real and synthetic crops side by side.")]
public sealed class DiagnoseSynthetic : Activity<DiagnoseSynthetic.Input, DiagnoseSynthetic.Output>
{
    private const int MaxImagesLimit = 200;

    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("COCO ground truth of the real images.")] ArtifactRef Annotations,
        [property: Port("The real images, named as in the annotations.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("Synthetic sets' COCO files (e.g. GenerateSynthetic's, one per density).")] IReadOnlyList<ArtifactRef> SyntheticAnnotations,
        [property: Port("Their images: a list, or one list per set (a mapped node's output).")] JsonNode? SyntheticImages = null,
        [property: Port("The training sampler's syntheticFraction (as given to TrainUNet), for the crop share; none: images drawn uniformly.")] double? SyntheticFraction = null,
        [property: Port("At most this many images per cell type and source (real; synthetic per set) are measured, the first in file order (1..200).")] int MaxImagesPerCellType = 20);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The measurements (JSON): per cell type, real and synthetic statistics and their distances.")] ArtifactRef Report,
        [property: Port("A self-contained HTML page: the numbers, histogram and halo plots, real and synthetic crops side by side.")] ArtifactRef Page,
        [property: Port("The share of training crops the sampler draws from synthetic images.")] double SyntheticCropShare);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        if (input.MaxImagesPerCellType is < 1 or > MaxImagesLimit)
        {
            throw new ActivityInputException("maxImagesPerCellType", $"must be in 1..{MaxImagesLimit}, was {input.MaxImagesPerCellType}");
        }

        if (input.SyntheticAnnotations is not { Count: > 0 })
        {
            throw new ActivityInputException("syntheticAnnotations", "give at least one synthetic set to compare with the real images");
        }

        context.Progress.Report(new StepProgress(0, "reading real images"));
        var real = await ReadAsync(input.Annotations, input.Images, input.MaxImagesPerCellType, context).ConfigureAwait(false);
        var syntheticImages = ArtifactFolders.Flatten(input.SyntheticImages).ToList();
        var synthetic = new List<DiagnosticImage>();
        foreach (var set in input.SyntheticAnnotations)
        {
            context.Progress.Report(new StepProgress(0.3, "reading synthetic images"));
            synthetic.AddRange(await ReadAsync(set, syntheticImages, input.MaxImagesPerCellType, context).ConfigureAwait(false));
        }

        context.Progress.Report(new StepProgress(0.6, "measuring"));
        var report = ActivityInputs.Check("syntheticFraction", () => SyntheticDiagnostics.Compare(real, synthetic, input.SyntheticFraction, cancellationToken: ct));
        var json = Path.Combine(context.WorkFolder, "synthetic-diagnostics.json");
        var html = Path.Combine(context.WorkFolder, "synthetic-diagnostics.html");
        await DiagnosticsPage.WriteJsonAsync(report, json, ct).ConfigureAwait(false);
        await DiagnosticsPage.WriteHtmlAsync(report, html, "Real vs synthetic images", ct).ConfigureAwait(false);
        foreach (var t in report.CellTypes)
        {
            context.ReportMetric($"histogramDistance/{t.CellType}", t.HistogramDistance, null);
            context.ReportMetric($"haloDistance/{t.CellType}", t.HaloDistance, null);
            context.ReportMetric($"syntheticCropShare/{t.CellType}", t.SyntheticCropShare, null);
        }

        context.ReportMetric("syntheticCropShare", report.SyntheticCropShare, null);
        return new Output(
            await context.Artifacts.PutFileAsync(json, "synthetic-diagnostics.json", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(html, "synthetic-diagnostics.html", ct).ConfigureAwait(false),
            report.SyntheticCropShare);
    }

    private static async Task<IReadOnlyList<DiagnosticImage>> ReadAsync(ArtifactRef annotations, IReadOnlyList<ArtifactRef> images, int max, ActivityContext context)
    {
        var dataset = await CocoReader.LoadAsync(context.Artifacts.GetPath(annotations), cancellationToken: context.CancellationToken).ConfigureAwait(false);
        var byName = new Dictionary<string, ArtifactRef>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            byName.TryAdd(image.Name, image);
        }

        return await DiagnosticImage.LoadAsync(dataset, i => byName.TryGetValue(i.FileName, out var a) ? context.Artifacts.GetPath(a) : null, max, context.CancellationToken).ConfigureAwait(false);
    }
}
