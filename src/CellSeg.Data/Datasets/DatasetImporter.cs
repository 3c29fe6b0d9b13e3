using CellSeg.Data.Coco;
using CellSeg.Data.Livecell;

namespace CellSeg.Data.Datasets;

/// <summary>What to import from a dataset folder on disk.</summary>
public sealed record DatasetImportOptions
{
    /// <summary>The dataset folder: a LIVECell download (<c>annotations/</c>, <c>images/</c>) or any folder of images and COCO files.</summary>
    public required string Root { get; init; }

    /// <summary><c>train</c>, <c>val</c> or <c>test</c>: which LIVECell-wide annotation file and image folder to use when <see cref="AnnotationsFile"/> is not given. Any other name needs <see cref="AnnotationsFile"/>.</summary>
    public string Split { get; init; } = "test";

    /// <summary>A COCO file to use instead of LIVECell's (absolute, or relative to <see cref="Root"/>).</summary>
    public string? AnnotationsFile { get; init; }

    /// <summary>Where the images lie (absolute, or relative to <see cref="Root"/>); by default LIVECell's folder of the split, then <c>images/</c>, then the root. Images may sit in per-cell-type subfolders.</summary>
    public string? ImagesFolder { get; init; }

    /// <summary>Keep only these cell lines (any letter case); null or empty keeps all.</summary>
    public IReadOnlyList<string>? CellTypes { get; init; }

    /// <summary>Keep at most this many images per cell line, the first in file order; null keeps all.</summary>
    public int? MaxImagesPerCellType { get; init; }

    /// <summary>Skip (and list) bad records and missing images instead of failing.</summary>
    public bool Lenient { get; init; }

    /// <summary>Where a subset's COCO file is written when images are filtered or dropped.</summary>
    public required string OutputFolder { get; init; }
}

/// <summary>An image of an imported dataset and where it lies.</summary>
public sealed record ImportedImage(CocoImage Image, string Path);

/// <summary>The result of an import: the COCO file later nodes should read (the original, or the written subset), its images, and what was skipped.</summary>
/// <param name="AnnotationsPath">COCO file of exactly <see cref="Images"/> and their annotations.</param>
/// <param name="Dataset">That file's content.</param>
/// <param name="Images">Every image, in file order, with its path.</param>
/// <param name="Issues">Bad records and missing images that lenient mode skipped.</param>
/// <param name="IsSubset">True when <see cref="AnnotationsPath"/> is a new file (a filter applied or a record dropped).</param>
public sealed record DatasetImport(string AnnotationsPath, CocoDataset Dataset, IReadOnlyList<ImportedImage> Images, IReadOnlyList<ReadIssue> Issues, bool IsSubset);

/// <summary>
/// Imports a dataset already on disk — a LIVECell download or any folder of images plus a COCO file —
/// checking that every image the annotations name is there. This is how offline users, the tests and the
/// quickstart bring real data into a pipeline.
/// </summary>
public static class DatasetImporter
{
    /// <summary>Finds the files, reads the annotations, locates every image, applies the filters.</summary>
    /// <exception cref="DataFormatException">A bad annotation record or a missing image (strict mode), naming file, record and reason.</exception>
    /// <exception cref="FileNotFoundException">No annotation file; the message lists where it was looked for.</exception>
    /// <exception cref="DirectoryNotFoundException">The dataset or image folder does not exist.</exception>
    /// <exception cref="ArgumentException">An option is invalid (unknown split or cell type, a negative limit).</exception>
    public static async Task<DatasetImport> ImportAsync(DatasetImportOptions options, IProgress<(string Phase, double Fraction)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = Path.GetFullPath(options.Root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"dataset folder not found: {root}");
        }

        if (options.MaxImagesPerCellType is < 0)
        {
            throw new ArgumentException($"maxImagesPerCellType must be 0 or more, not {options.MaxImagesPerCellType}");
        }

        var wanted = NormaliseCellTypes(options.CellTypes);
        var split = TryParseSplit(options.Split);
        var layout = new LivecellLayout(root);
        var annotationsPath = options.AnnotationsFile is { Length: > 0 } file
            ? ResolveFile(root, file)
            : split is { } s
                ? layout.FindAnnotationFile(s)
                : throw new ArgumentException($"split '{options.Split}' is not one of LIVECell's (train, val, test): give the annotations file");

        var dataset = await CocoReader.LoadAsync(
            annotationsPath,
            new CocoReadOptions
            {
                Lenient = options.Lenient,
                Progress = progress is null ? null : new SyncProgress<ReadProgress>(p => progress.Report(("reading annotations", p.TotalBytes > 0 ? 0.8 * p.BytesRead / p.TotalBytes : 0))),
            },
            cancellationToken).ConfigureAwait(false);

        var issues = new List<ReadIssue>();
        var images = new List<ImportedImage>();
        var perType = new Dictionary<string, int>(StringComparer.Ordinal);
        var filtered = false;
        var imagesFolder = options.ImagesFolder is { Length: > 0 } folder ? ResolveFolder(root, folder) : null;
        for (var i = 0; i < dataset.Images.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var image = dataset.Images[i];
            var type = CellTypes.TryFromFileName(image.FileName, out var t) ? t : DatasetManifestBuilder.OtherGroup;
            if ((wanted is not null && !wanted.Contains(type)) || (options.MaxImagesPerCellType is { } max && perType.GetValueOrDefault(type) >= max))
            {
                filtered = true;
                continue;
            }

            var tried = new List<string>();
            var path = Locate(layout, split, imagesFolder, root, image.FileName, tried);
            if (path is null)
            {
                var reason = $"image file not found; looked at {string.Join(", ", tried.Distinct(StringComparer.Ordinal))}";
                if (!options.Lenient)
                {
                    throw new DataFormatException(annotationsPath, $"image {image.Id} ({image.FileName})", reason);
                }

                issues.Add(new ReadIssue($"image {image.Id} ({image.FileName})", reason));
                continue;
            }

            perType[type] = perType.GetValueOrDefault(type) + 1;
            images.Add(new ImportedImage(image, path));
            if (i % 64 == 0)
            {
                progress?.Report(("locating images", 0.8 + 0.15 * i / dataset.Images.Count));
            }
        }

        if (images.Count == 0)
        {
            throw new DataFormatException(annotationsPath, null, dataset.Images.Count == 0 ? "the annotations name no images" : "no image is left after the filters and checks");
        }

        var allIssues = dataset.Issues.Concat(issues).ToList();
        if (!filtered && issues.Count == 0 && dataset.Issues.Count == 0)
        {
            return new DatasetImport(annotationsPath, dataset, images, allIssues, IsSubset: false);
        }

        var keep = images.Select(x => x.Image.Id).ToHashSet();
        var subset = new CocoDataset(
            images.Select(x => x.Image).ToList(),
            dataset.Categories,
            dataset.Annotations.Where(a => keep.Contains(a.ImageId)).ToList(),
            dataset.OtherFieldsJson,
            allIssues);
        var output = Path.Combine(Path.GetFullPath(options.OutputFolder), Path.GetFileNameWithoutExtension(annotationsPath) + ".subset.json");
        progress?.Report(("writing the subset", 0.95));
        await CocoWriter.WriteDatasetAsync(subset, output, cancellationToken).ConfigureAwait(false);
        return new DatasetImport(output, new CocoDataset(subset.Images, subset.Categories, subset.Annotations, subset.OtherFieldsJson, allIssues, output), images, allIssues, IsSubset: true);
    }

    /// <summary>Reads <c>train</c>, <c>val</c> or <c>test</c> (any letter case); null for other names.</summary>
    public static LivecellSplit? TryParseSplit(string? split) => split?.Trim().ToLowerInvariant() switch
    {
        "train" => LivecellSplit.Train,
        "val" or "validation" => LivecellSplit.Val,
        "test" => LivecellSplit.Test,
        _ => null,
    };

    private static HashSet<string>? NormaliseCellTypes(IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return null;
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var known = CellTypes.All.FirstOrDefault(t => string.Equals(t, name?.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"cell type '{name}' is not one of LIVECell's: {string.Join(", ", CellTypes.All)}");
            set.Add(known);
        }

        return set;
    }

    private static string? Locate(LivecellLayout layout, LivecellSplit? split, string? imagesFolder, string root, string fileName, List<string> tried)
    {
        if (imagesFolder is not null)
        {
            return FindIn(imagesFolder, fileName, tried);
        }

        if (split is { } s)
        {
            try
            {
                return layout.ResolveImage(fileName, s);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                tried.Add(ex.Message);
            }
        }

        return FindIn(Path.Combine(root, "images"), fileName, tried) ?? FindIn(root, fileName, tried);
    }

    private static string? FindIn(string folder, string fileName, List<string> tried) =>
        LivecellLayout.TryResolveImageIn(folder, fileName, out var path, tried) ? path : null;

    private static string ResolveFile(string root, string file)
    {
        var path = Path.GetFullPath(Path.IsPathRooted(file) ? file : Path.Combine(root, file));
        return File.Exists(path) ? path : throw new FileNotFoundException($"annotations file not found: {path}", path);
    }

    private static string ResolveFolder(string root, string folder)
    {
        var path = Path.GetFullPath(Path.IsPathRooted(folder) ? folder : Path.Combine(root, folder));
        return Directory.Exists(path) ? path : throw new DirectoryNotFoundException($"images folder not found: {path}");
    }
}
