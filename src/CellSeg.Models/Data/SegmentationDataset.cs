using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Livecell;
using CellSeg.Data.Masks;
using CellSeg.Metrics.Binary;

namespace CellSeg.Models.Data;

/// <summary>One image with its semantic mask (the union of its annotated cells).</summary>
/// <param name="ImageId">The COCO image id.</param>
/// <param name="FileName">The COCO file name.</param>
/// <param name="CellType">The LIVECell cell type from the file name, or null.</param>
/// <param name="Image">The gray image.</param>
/// <param name="Mask">Foreground 1 where any annotated cell covers the pixel.</param>
public sealed record SegmentationSample(long ImageId, string FileName, string? CellType, GrayImage Image, BinaryMask Mask);

/// <summary>Which images of a COCO file <see cref="SegmentationDataset.LoadAsync"/> takes.</summary>
public sealed record SegmentationDatasetOptions
{
    /// <summary>Only these cell types (null: all).</summary>
    public IReadOnlyList<string>? CellTypes { get; init; }

    /// <summary>At most this many images, the first in file order (null: all).</summary>
    public int? MaxImages { get; init; }
}

/// <summary>Progress of loading a dataset: images read so far of the total.</summary>
public sealed record DatasetLoadProgress(int Loaded, int Total, string FileName);

/// <summary>
/// Images and semantic masks of a COCO file, held in memory (8-bit LIVECell: ~0.73 MB an image with its
/// mask), read from the image folder (or a sub-folder per cell type, LIVECell's train/val layout).
/// </summary>
public sealed class SegmentationDataset
{
    /// <summary>Wraps samples already in memory.</summary>
    public SegmentationDataset(IReadOnlyList<SegmentationSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        Samples = samples;
    }

    /// <summary>The images, in COCO file order.</summary>
    public IReadOnlyList<SegmentationSample> Samples { get; }

    /// <summary>Number of images.</summary>
    public int Count => Samples.Count;

    /// <summary>The cell types present, sorted.</summary>
    public IReadOnlyList<string> CellTypes => [.. Samples.Select(s => s.CellType).OfType<string>().Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The images of one cell type.</summary>
    public SegmentationDataset OfCellType(string cellType) => new([.. Samples.Where(s => s.CellType == cellType)]);

    /// <summary>The images' ground-truth masks, for scoring masks made elsewhere (see <see cref="MaskFolderEvaluator"/>).</summary>
    public IReadOnlyList<SemanticGroundTruth> GroundTruth() =>
        [.. Samples.Select(s => new SemanticGroundTruth(s.ImageId, s.FileName, s.CellType, s.Mask))];

    /// <summary>Reads a COCO file and its images.</summary>
    /// <param name="annotationsPath">COCO ground truth (polygons or RLE).</param>
    /// <param name="imagesFolder">Folder holding the images (directly or in a sub-folder named after the cell type).</param>
    /// <param name="options">Filters.</param>
    /// <param name="progress">Images read so far.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    /// <exception cref="DataFormatException">A bad COCO file, a missing image (naming the image record and the paths tried) or an image whose size differs from its record.</exception>
    public static async Task<SegmentationDataset> LoadAsync(string annotationsPath, string imagesFolder, SegmentationDatasetOptions? options = null,
        IProgress<DatasetLoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new SegmentationDatasetOptions();
        var coco = await CocoReader.LoadAsync(annotationsPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        IEnumerable<CocoImage> images = coco.Images;
        if (options.CellTypes is { } types)
        {
            images = images.Where(i => CellTypesOf(i.FileName) is { } t && types.Contains(t, StringComparer.Ordinal));
        }

        if (options.MaxImages is { } max)
        {
            images = images.Take(max);
        }

        var selected = images.ToList();
        var samples = new List<SegmentationSample>(selected.Count);
        foreach (var image in selected)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var cellType = CellTypesOf(image.FileName);
            var path = ImageFiles.Resolve(imagesFolder, image, annotationsPath);
            var gray = await GrayImageIO.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (gray.Width != image.Width || gray.Height != image.Height)
            {
                throw new DataFormatException(annotationsPath, $"image {image.Id} ({image.FileName})",
                    $"{path} is {gray.Width}×{gray.Height}, the record says {image.Width}×{image.Height}");
            }

            var instances = coco.AnnotationsOf(image.Id).Select(a => a.Segmentation.ToRle(image.Height, image.Width));
            var mask = MaskConversion.ToSemantic(instances, image.Height, image.Width);
            samples.Add(new SegmentationSample(image.Id, image.FileName, cellType, gray, mask));
            progress?.Report(new DatasetLoadProgress(samples.Count, selected.Count, image.FileName));
        }

        return new SegmentationDataset(samples);
    }

    private static string? CellTypesOf(string fileName) => CellSeg.Data.Livecell.CellTypes.TryFromFileName(Path.GetFileName(fileName), out var t) ? t : null;

}
