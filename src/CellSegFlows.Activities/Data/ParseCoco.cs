using CellSeg.Data.Coco;
using CellSeg.Data.Datasets;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Data;

/// <summary>Parses a COCO file into a dataset manifest: images with cell type, split, cell count and density, statistics per cell type, a validation report.</summary>
[Activity("ParseCoco", Category = "Data", Description = "COCO annotations → dataset manifest (per image: cell type, split, cells, density; per cell type: cells-per-image distribution) and a validation report; lenient mode lists bad records instead of failing.")]
public sealed class ParseCoco : Activity<ParseCoco.Input, ParseCoco.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("COCO ground truth.")] ArtifactRef Annotations,
        [property: Port("The images named in it; given, each is decoded and its size checked against the annotations.")] IReadOnlyList<ArtifactRef>? Images = null,
        [property: Port("The split these images belong to (train, val, test or a name of yours).")] string Split = "test",
        [property: Port("A label for reports; default: the annotation file's name.")] string? Name = null,
        [property: Port("List bad records and images in the report instead of failing.")] bool Lenient = false);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The dataset manifest (JSON).")] ArtifactRef Manifest,
        [property: Port("Statistics per cell type and the validation report (Markdown).")] ArtifactRef Report,
        [property: Port("Images in the manifest.")] int ImageCount,
        [property: Port("Cells in the manifest.")] int CellCount,
        [property: Port("Records and images listed as bad.")] int Issues);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var path = context.Artifacts.GetPath(input.Annotations);
        var dataset = await CocoReader.LoadAsync(
            path,
            new CocoReadOptions
            {
                Lenient = input.Lenient,
                Progress = new CellSeg.Data.SyncProgress<ReadProgress>(p => context.Progress.Report(new StepProgress(p.TotalBytes > 0 ? 0.5 * p.BytesRead / p.TotalBytes : null, "reading annotations"))),
            },
            ct).ConfigureAwait(false);
        var byName = input.Images?.ToDictionary(i => i.Name, StringComparer.Ordinal) ?? [];
        var imageIssues = new List<ReadIssue>();
        if (input.Images is not null)
        {
            var pairs = new List<(CocoImage, string)>();
            foreach (var image in dataset.Images)
            {
                if (byName.TryGetValue(image.FileName, out var artifact))
                {
                    pairs.Add((image, context.Artifacts.GetPath(artifact)));
                }
                else if (!input.Lenient)
                {
                    throw new CellSeg.Data.DataFormatException(input.Annotations.Name, $"image {image.Id} ({image.FileName})", "is not among the images given to this node");
                }
                else
                {
                    imageIssues.Add(new ReadIssue($"image {image.Id} ({image.FileName})", "is not among the images given to this node"));
                }
            }

            imageIssues.AddRange(await ImageCheck.CheckAsync(
                pairs, input.Annotations.Name, input.Lenient,
                new CellSeg.Data.SyncProgress<double>(f => context.Progress.Report(new StepProgress(0.5 + 0.45 * f, "checking images"))), ct).ConfigureAwait(false));
        }

        var manifest = DatasetManifestBuilder.Build(
            dataset,
            input.Name ?? Path.GetFileNameWithoutExtension(input.Annotations.Name),
            input.Split,
            image => byName.TryGetValue(image.FileName, out var a) ? context.Artifacts.GetPath(a) : null,
            imageIssues);
        var manifestPath = Path.Combine(context.WorkFolder, "manifest.json");
        var reportPath = Path.Combine(context.WorkFolder, "dataset.md");
        await manifest.WriteAsync(manifestPath, ct).ConfigureAwait(false);
        await DatasetManifestMarkdown.WriteAsync(manifest, reportPath, ct).ConfigureAwait(false);
        foreach (var row in manifest.Statistics)
        {
            context.ReportMetric($"cellsPerImage.median/{row.Group}", row.MedianCellsPerImage, null);
            context.ReportMetric($"cellsPerImage.p95/{row.Group}", row.P95CellsPerImage, null);
        }

        context.ReportMetric("issues", manifest.Issues.Count, null);
        var cells = manifest.Images.Sum(i => i.Cells);
        return new Output(
            await context.Artifacts.PutFileAsync(manifestPath, "manifest.json", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(reportPath, "dataset.md", ct).ConfigureAwait(false),
            manifest.Images.Count, cells, manifest.Issues.Count);
    }
}
