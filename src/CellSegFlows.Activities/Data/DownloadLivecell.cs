using CellSeg.Data;
using CellSeg.Data.Download;
using CellSegFlows.Engine.Access;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Data;

/// <summary>
/// Fetches what an experiment needs from the LIVECell bucket (or a mirror, or a local folder):
/// resumable, verified, retried, idempotent; archives are extracted safely. See CellSeg.Data.Download.
/// </summary>
[Activity("DownloadLivecell", Category = "Data", Description = "Fetches LIVECell annotation files and the images archive named by a manifest (resumable, verified by size and SHA-256, retried; archives extracted safely). Complete files are not fetched again.")]
public sealed class DownloadLivecell : Activity<DownloadLivecell.Input, DownloadLivecell.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("File ids or groups of the manifest, e.g. [\"livecell-wide:test\", \"images\"], [\"single-cell:a172\"], [\"livecell-wide\"]. Null: livecell-wide:test and images.")] IReadOnlyList<string>? Files = null,
        [property: Port("Manifest file; empty: the built-in workflows/data/livecell-manifest.json.", Kind = PortKind.FileToRead)] string Manifest = "",
        [property: Port("Replaces the manifest's base URL: a mirror (http/https), a file:// URL or a local folder (offline: files are copied and verified).", Kind = PortKind.Source)] string BaseUrl = "",
        [property: Port("Folder that receives the files in the bucket's layout; empty: the shared cache $CELLSEGFLOWS_DATA/livecell (else ~/.local/share/cellsegflows/data/livecell).", Kind = PortKind.FolderToWrite)] string Destination = "",
        [property: Port("Extract archives (images.zip into <destination>/images).")] bool Extract = true);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The selected annotation files, as artifacts, in manifest order.")] IReadOnlyList<ArtifactRef> Annotations,
        [property: Port("The dataset folder (annotations/…, images/…), usable as a LIVECell layout root.")] string Folder,
        [property: Port("The extracted images folder (holds livecell_test_images and livecell_train_val_images); empty when no archive was extracted.")] string ImagesFolder);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var manifest = string.IsNullOrWhiteSpace(input.Manifest)
            ? LivecellDownload.LoadBuiltInManifest()
            : await DownloadManifest.LoadAsync(input.Manifest, context.CancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(input.BaseUrl))
        {
            manifest = manifest.WithBaseUrl(input.BaseUrl);
        }

        var destination = string.IsNullOrWhiteSpace(input.Destination) ? LivecellDownload.DefaultDestination() : input.Destination;
        if (string.IsNullOrWhiteSpace(input.Destination))
        {
            context.HostAccess.ResolvePath(destination, HostPathUse.Write, "destination");   // the shared cache must be a root too
        }

        // Every source is checked as it is fetched: the manifest's own base URL is data as much as the inputs are.
        using var downloader = new FileDownloader(new FileDownloaderOptions { SourcePolicy = HostAccessSources.For(context.HostAccess, "baseUrl") });
        var fetcher = new DatasetFetcher(downloader, new SafeArchiveExtractor());
        var result = await HostAccessSources.RunAsync("baseUrl", () => fetcher.FetchAsync(
            new FetchRequest(manifest, input.Files ?? LivecellDownload.DefaultSelection, destination, input.Extract),
            new SyncProgress<FetchProgress>(p => context.Progress.Report(new StepProgress(p.Fraction is { } f ? f * 0.95 : null, p.Message))),
            context.CancellationToken)).ConfigureAwait(false);

        var annotations = new List<ArtifactRef>();
        var files = result.Files.Where(f => f.Entry.Kind == ManifestFileKind.Annotations).ToList();
        foreach (var file in files)
        {
            // Per-cell-type files are all called train/val/test.json: name those after their manifest id.
            var name = Path.GetFileName(file.File.Path);
            if (files.Count(f => Path.GetFileName(f.File.Path) == name) > 1)
            {
                name = file.Entry.Id.Replace(':', '_') + Path.GetExtension(name);
            }

            context.Progress.Report(new StepProgress(0.95, $"storing {file.Entry.Id}"));
            annotations.Add(await context.Artifacts.PutFileAsync(file.File.Path, name, context.CancellationToken).ConfigureAwait(false));
        }

        context.ReportMetric("files", result.Files.Count, null);
        context.ReportMetric("bytes_fetched", result.Files.Where(f => f.File.Fetched).Sum(f => f.File.Size), null);
        var images = result.Files.FirstOrDefault(f => f.ExtractedFolder is not null)?.ExtractedFolder ?? string.Empty;
        return new Output(annotations, result.Destination, images);
    }
}
