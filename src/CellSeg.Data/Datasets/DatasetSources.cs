using CellSeg.Data.Download;
using CellSeg.Data.Livecell;
using CellSeg.Data.Samples;

namespace CellSeg.Data.Datasets;

/// <summary>Where a pipeline's data comes from and how much of it to take.</summary>
public sealed record DatasetSourceOptions
{
    /// <summary>The word for the procedural sample.</summary>
    public const string Sample = "sample";

    /// <summary>The word for LIVECell fetched through the download manifest.</summary>
    public const string Livecell = "livecell";

    /// <summary><c>sample</c> (made offline), <c>livecell</c> (fetched once into the shared cache), or the path of a dataset folder on disk.</summary>
    public string Source { get; init; } = Sample;

    /// <summary><c>train</c>, <c>val</c> or <c>test</c>.</summary>
    public string Split { get; init; } = "test";

    /// <summary>Images per cell line: how many the sample draws, or at most how many are kept of a real set; 0 keeps all of a real set.</summary>
    public int ImagesPerCellType { get; init; } = 2;

    /// <summary>Keep only these cell lines; null or empty keeps all.</summary>
    public IReadOnlyList<string>? CellTypes { get; init; }

    /// <summary>Seed of the sample (each split draws its own images from it).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Sample image width.</summary>
    public int Width { get; init; } = 320;

    /// <summary>Sample image height.</summary>
    public int Height { get; init; } = 240;

    /// <summary>For <c>livecell</c>: a mirror, <c>file://</c> URL or local folder replacing the manifest's base URL; null uses the bucket.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>For <c>livecell</c>: where files are kept; null is the shared cache (<see cref="LivecellDownload.DefaultDestination"/>).</summary>
    public string? Destination { get; init; }

    /// <summary>Skip and list bad records and missing images instead of failing.</summary>
    public bool Lenient { get; init; }

    /// <summary>A folder for generated files (the sample, a subset's COCO file).</summary>
    public required string WorkFolder { get; init; }

    /// <summary>Which download sources may be read (livecell only); null: any.</summary>
    public IDownloadSourcePolicy? SourcePolicy { get; init; }
}

/// <summary>
/// One entry point for "give me a dataset": the offline sample, LIVECell (downloaded once, verified,
/// then imported), or a folder on disk — so a workflow switches its data with one parameter and every
/// later node sees the same thing: a COCO file and the images it names.
/// </summary>
public static class DatasetSources
{
    /// <summary>Prepares the dataset and returns it as an import (annotations path, images with paths, skipped records).</summary>
    /// <exception cref="ArgumentException">An unknown split for the sample, or a bad option.</exception>
    /// <exception cref="DataFormatException">Bad annotations or missing images (strict mode).</exception>
    /// <exception cref="DownloadException">LIVECell could not be fetched or verified.</exception>
    public static async Task<DatasetImport> PrepareAsync(DatasetSourceOptions options, IProgress<(string Phase, double Fraction)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var split = DatasetImporter.TryParseSplit(options.Split)
            ?? throw new ArgumentException($"split '{options.Split}' is not one of train, val, test");
        var perType = options.ImagesPerCellType > 0 ? options.ImagesPerCellType : (int?)null;
        if (string.Equals(options.Source, DatasetSourceOptions.Sample, StringComparison.OrdinalIgnoreCase))
        {
            var folder = Path.Combine(options.WorkFolder, "sample-" + options.Split.ToLowerInvariant());
            var sample = await SampleDatasetGenerator.WriteAsync(
                folder,
                new SampleDatasetOptions
                {
                    ImagesPerCellType = perType ?? 2,
                    Width = options.Width,
                    Height = options.Height,
                    // Each split draws its own images and names them with its own well letter.
                    Seed = unchecked(options.Seed * 31 + (int)split),
                    Well = split switch { LivecellSplit.Train => 'R', LivecellSplit.Val => 'V', _ => 'T' },
                },
                progress is null ? null : new SyncProgress<double>(f => progress.Report(("drawing the sample", 0.8 * f))),
                cancellationToken).ConfigureAwait(false);
            return await DatasetImporter.ImportAsync(
                new DatasetImportOptions
                {
                    Root = folder, Split = options.Split, AnnotationsFile = sample.AnnotationsPath, ImagesFolder = sample.ImagesFolder,
                    CellTypes = options.CellTypes, Lenient = options.Lenient, OutputFolder = options.WorkFolder,
                },
                null,
                cancellationToken).ConfigureAwait(false);
        }

        var root = options.Source;
        if (string.Equals(options.Source, DatasetSourceOptions.Livecell, StringComparison.OrdinalIgnoreCase))
        {
            var manifest = LivecellDownload.LoadBuiltInManifest();
            if (!string.IsNullOrWhiteSpace(options.BaseUrl))
            {
                manifest = manifest.WithBaseUrl(options.BaseUrl);
            }

            using var downloader = new FileDownloader(new FileDownloaderOptions { SourcePolicy = options.SourcePolicy });
            var fetcher = new DatasetFetcher(downloader, new SafeArchiveExtractor());
            var fetched = await fetcher.FetchAsync(
                new FetchRequest(manifest, [$"livecell-wide:{options.Split.ToLowerInvariant()}", "images"], options.Destination ?? LivecellDownload.DefaultDestination()),
                progress is null ? null : new SyncProgress<FetchProgress>(p => progress.Report((p.Message, 0.7 * (p.Fraction ?? 0)))),
                cancellationToken).ConfigureAwait(false);
            root = fetched.Destination;
        }

        return await DatasetImporter.ImportAsync(
            new DatasetImportOptions
            {
                Root = root, Split = options.Split, CellTypes = options.CellTypes, MaxImagesPerCellType = perType, Lenient = options.Lenient, OutputFolder = options.WorkFolder,
            },
            progress is null ? null : new SyncProgress<(string Phase, double Fraction)>(p => progress.Report((p.Phase, 0.7 + 0.3 * p.Fraction))),
            cancellationToken).ConfigureAwait(false);
    }
}
