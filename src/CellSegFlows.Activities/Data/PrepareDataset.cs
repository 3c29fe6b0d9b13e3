using CellSeg.Data.Download;
using CellSeg.Data.Datasets;
using CellSegFlows.Engine.Access;
using CellSegFlows.Engine.Activities;
using Microsoft.Extensions.Logging;

namespace CellSegFlows.Activities.Data;

/// <summary>A dataset from one parameter: the offline sample, LIVECell (downloaded once into the shared cache), or a folder on disk.</summary>
[Activity("PrepareDataset", Category = "Data", Description = "One split of a dataset chosen by 'source': sample (procedural, offline), livecell (downloaded once, verified, imported) or a dataset folder; a few images per cell type, some cell types, stored as annotations + images.")]
public sealed class PrepareDataset : Activity<PrepareDataset.Input, PrepareDataset.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("sample, livecell, or the path of a dataset folder (LIVECell layout).")] string Source = "sample",
        [property: Port("train, val or test.")] string Split = "test",
        [property: Port("Images per cell type: drawn (sample) or kept at most (real data; 0 keeps all).")] int ImagesPerCellType = 2,
        [property: Port("Keep only these cell types; empty keeps all.")] IReadOnlyList<string>? CellTypes = null,
        [property: Port("Seed of the sample.")] int Seed = 1,
        [property: Port("Sample image width.")] int Width = 320,
        [property: Port("Sample image height.")] int Height = 240,
        [property: Port("livecell only: a mirror, file:// URL or local folder instead of the bucket.", Kind = PortKind.Source)] string BaseUrl = "",
        [property: Port("livecell only: where the files are kept; empty: the shared cache.", Kind = PortKind.FolderToWrite)] string Destination = "",
        [property: Port("Skip and list bad records and missing images instead of failing.")] bool Lenient = false);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("COCO ground truth of exactly these images.")] ArtifactRef Annotations,
        [property: Port("The images, one artifact each, named as in the annotations.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("Images.")] int ImageCount,
        [property: Port("Cells annotated.")] int CellCount);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        // 'source' is a keyword or a folder, so the engine cannot check it by its kind: it is checked here.
        var source = string.Equals(input.Source, DatasetSourceOptions.Sample, StringComparison.OrdinalIgnoreCase)
            || string.Equals(input.Source, DatasetSourceOptions.Livecell, StringComparison.OrdinalIgnoreCase)
            ? input.Source
            : context.HostAccess.ResolvePath(input.Source, HostPathUse.Read, "source");
        var destination = NullIfEmpty(input.Destination);
        if (destination is null && string.Equals(source, DatasetSourceOptions.Livecell, StringComparison.OrdinalIgnoreCase))
        {
            context.HostAccess.ResolvePath(LivecellDownload.DefaultDestination(), HostPathUse.Write, "destination");
        }

        var import = await HostAccessSources.RunAsync("baseUrl", () => DatasetSources.PrepareAsync(
            new DatasetSourceOptions
            {
                Source = source, Split = input.Split, ImagesPerCellType = input.ImagesPerCellType, CellTypes = input.CellTypes, Seed = input.Seed,
                Width = input.Width, Height = input.Height, BaseUrl = NullIfEmpty(input.BaseUrl), Destination = destination,
                Lenient = input.Lenient, WorkFolder = context.WorkFolder, SourcePolicy = HostAccessSources.For(context.HostAccess, "baseUrl"),
            },
            new CellSeg.Data.SyncProgress<(string Phase, double Fraction)>(p => context.Progress.Report(new StepProgress(0.8 * p.Fraction, p.Phase))),
            ct)).ConfigureAwait(false);
        foreach (var issue in import.Issues.Take(50))
        {
            context.Logger.LogWarning("skipped {Issue}", issue.ToString());
        }

        var images = await ArtifactFolders.StoreImagesAsync(import.Images, context, 0.8).ConfigureAwait(false);
        context.ReportMetric("images", images.Count, null);
        context.ReportMetric("cells", import.Dataset.Annotations.Count, null);
        return new Output(
            await context.Artifacts.PutFileAsync(import.AnnotationsPath, $"{input.Split.ToLowerInvariant()}.json", ct).ConfigureAwait(false),
            images, images.Count, import.Dataset.Annotations.Count);
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
