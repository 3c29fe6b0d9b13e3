using System.Text.Json.Nodes;
using CellSeg.Data.Coco;
using CellSeg.Metrics.Pca;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Analysis;

/// <summary>The paper's Figures 1 and 2: images of the original and extended datasets on their first two principal components.</summary>
[Activity("DatasetPca", Category = "Analysis", Description = "PCA of per-image feature vectors (cell masks on a grid, pixels, or morphology) of an original dataset and its synthetic extensions, fitted together; a scatter plot coloured by cell type.")]
public sealed class DatasetPca : Activity<DatasetPca.Input, DatasetPca.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("COCO ground truth of the original dataset.")] ArtifactRef Annotations,
        [property: Port("Its images.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("COCO files of extended (e.g. synthetic) datasets, one per dataset.")] IReadOnlyList<ArtifactRef>? ExtendedAnnotations = null,
        [property: Port("Their images: a list of image artifacts, or one list per dataset (a mapped node's output).")] JsonNode? ExtendedImages = null,
        [property: Port("Legend labels of the extended datasets, in order; default: their file names.")] IReadOnlyList<string>? ExtendedLabels = null,
        [property: Port("masks (where the cells are), pixels, or morphology.")] string Features = "masks",
        [property: Port("At most this many images per dataset, taken evenly through it; 0 takes all.")] int MaxImagesPerDataset = 500);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The scatter plot (PNG).")] ArtifactRef Plot,
        [property: Port("Every image's coordinates (CSV).")] ArtifactRef Points,
        [property: Port("Coordinates and explained variance (JSON).")] ArtifactRef Result,
        [property: Port("Fraction of the variance along PC1.")] double Pc1Variance,
        [property: Port("Fraction of the variance along PC2.")] double Pc2Variance);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        if (!Enum.TryParse<FeatureSet>(input.Features, ignoreCase: true, out var features) || !Enum.IsDefined(features))
        {
            throw new ActivityInputException("features", $"features '{input.Features}' is not one of masks, pixels, morphology");
        }

        var images = input.Images.Concat(ArtifactFolders.Flatten(input.ExtendedImages)).GroupBy(a => a.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        string? PathOf(CocoImage image) => images.TryGetValue(image.FileName, out var a) ? context.Artifacts.GetPath(a) : null;
        var datasets = new List<PcaDatasetInput>
        {
            new("original", await CocoReader.LoadAsync(context.Artifacts.GetPath(input.Annotations), cancellationToken: ct).ConfigureAwait(false), PathOf),
        };
        var extended = input.ExtendedAnnotations ?? [];
        for (var i = 0; i < extended.Count; i++)
        {
            var label = input.ExtendedLabels is { } labels && i < labels.Count ? labels[i] : Path.GetFileNameWithoutExtension(extended[i].Name);
            datasets.Add(new PcaDatasetInput(label, await CocoReader.LoadAsync(context.Artifacts.GetPath(extended[i]), cancellationToken: ct).ConfigureAwait(false), PathOf));
        }

        var result = await CellSeg.Metrics.Pca.DatasetPca.ComputeAsync(
            datasets,
            new DatasetPcaOptions { Features = features, MaxImagesPerDataset = input.MaxImagesPerDataset },
            new CellSeg.Data.SyncProgress<double>(f => context.Progress.Report(new StepProgress(f * 0.9, "features"))),
            ct).ConfigureAwait(false);
        var png = Path.Combine(context.WorkFolder, "pca.png");
        var csv = Path.Combine(context.WorkFolder, "pca.csv");
        var json = Path.Combine(context.WorkFolder, "pca.json");
        var title = extended.Count == 0 ? $"PCA of the dataset ({features.ToString().ToLowerInvariant()})" : $"PCA of the original and extended datasets ({features.ToString().ToLowerInvariant()})";
        await PcaPlot.WritePngAsync(result, png, title, cancellationToken: ct).ConfigureAwait(false);
        await result.WriteCsvAsync(csv, ct).ConfigureAwait(false);
        await result.WriteJsonAsync(json, ct).ConfigureAwait(false);
        context.ReportMetric("pc1.varianceRatio", result.ExplainedVarianceRatio[0], null);
        context.ReportMetric("pc2.varianceRatio", result.ExplainedVarianceRatio[1], null);
        return new Output(
            await context.Artifacts.PutFileAsync(png, "pca.png", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(csv, "pca.csv", ct).ConfigureAwait(false),
            await context.Artifacts.PutFileAsync(json, "pca.json", ct).ConfigureAwait(false),
            result.ExplainedVarianceRatio[0],
            result.ExplainedVarianceRatio[1]);
    }
}
