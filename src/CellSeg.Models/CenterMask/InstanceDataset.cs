using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Livecell;
using CellSeg.Data.Masks;
using CellSeg.Models.Data;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>One annotated cell: its class, box and polygons in the image's pixels.</summary>
/// <param name="Class">0-based class: the index of its category among the file's categories sorted by id.</param>
/// <param name="X1">Box left.</param>
/// <param name="Y1">Box top.</param>
/// <param name="X2">Box right.</param>
/// <param name="Y2">Box bottom.</param>
/// <param name="Polygons">Flat x, y, x, y… polygons (COCO); RLE annotations are traced to their outer polygons.</param>
public sealed record InstanceCell(int Class, float X1, float Y1, float X2, float Y2, IReadOnlyList<double[]> Polygons);

/// <summary>One training image with its cells.</summary>
/// <param name="ImageId">COCO image id.</param>
/// <param name="FileName">COCO file name.</param>
/// <param name="CellType">LIVECell cell type from the file name, or null.</param>
/// <param name="Image">The gray image.</param>
/// <param name="Cells">Its non-crowd cells.</param>
public sealed record InstanceSample(long ImageId, string FileName, string? CellType, GrayImage Image, IReadOnlyList<InstanceCell> Cells)
{
    /// <summary>The sample as CenterMask input: image [H, W] float, boxes [G, 4], classes [G], polygons.</summary>
    public CenterMaskSample ToCenterMaskSample()
    {
        var pixels = Image.BitDepth == 8
            ? Image.Pixels8.Select(p => (float)p).ToArray()
            : Image.Pixels16.Select(p => (float)p).ToArray();
        var boxes = Cells.SelectMany(c => new[] { c.X1, c.Y1, c.X2, c.Y2 }).ToArray();
        return new CenterMaskSample(
            tensor(pixels, [Image.Height, Image.Width]),
            tensor(boxes, [Cells.Count, 4]),
            tensor(Cells.Select(c => (long)c.Class).ToArray(), [Cells.Count]),
            Cells.Select(c => c.Polygons).ToArray());
    }
}

/// <summary>A COCO file and the folder of its images: one source of training data.</summary>
/// <param name="Annotations">COCO ground truth (polygons or RLE).</param>
/// <param name="Images">Folder with the images, directly or in a sub-folder per cell type (LIVECell's train/val layout).</param>
public sealed record CocoImageSet(string Annotations, string Images);

/// <summary>
/// Images with their cells as instances (polygons per annotation), held in memory for CenterMask training. Crowd
/// annotations and images without cells are left out, as detectron2's loader does (FILTER_EMPTY_ANNOTATIONS).
/// </summary>
public sealed class InstanceDataset
{
    /// <summary>Wraps samples already in memory.</summary>
    public InstanceDataset(IReadOnlyList<InstanceSample> samples, IReadOnlyList<int> categoryIds)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(categoryIds);
        Samples = samples;
        CategoryIds = categoryIds;
    }

    /// <summary>The images, in file order (sets one after another).</summary>
    public IReadOnlyList<InstanceSample> Samples { get; }

    /// <summary>COCO category id of each class index.</summary>
    public IReadOnlyList<int> CategoryIds { get; }

    /// <summary>Number of images.</summary>
    public int Count => Samples.Count;

    /// <summary>Reads every set (the same categories in each), keeping only <paramref name="cellTypes"/> when given.</summary>
    /// <exception cref="DataFormatException">A missing or bad COCO file, a missing image (naming the record and the paths tried), an image whose size differs from its record, or sets with different categories.</exception>
    public static async Task<InstanceDataset> LoadAsync(IReadOnlyList<CocoImageSet> sets, IReadOnlyList<string>? cellTypes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var samples = new List<InstanceSample>();
        IReadOnlyList<int>? categoryIds = null;
        foreach (var set in sets)
        {
            var coco = await CocoReader.LoadAsync(set.Annotations, cancellationToken: cancellationToken).ConfigureAwait(false);
            var ids = coco.Categories.Select(c => c.Id).Order().ToArray();
            if (categoryIds is null)
            {
                categoryIds = ids;
            }
            else if (!categoryIds.SequenceEqual(ids))
            {
                throw new DataFormatException(set.Annotations, "categories", $"category ids [{string.Join(", ", ids)}] differ from the first set's [{string.Join(", ", categoryIds)}]");
            }

            var classOf = ids.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
            foreach (var image in coco.Images)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var cellType = CellTypeOf(image.FileName);
                if (cellTypes is not null && (cellType is null || !cellTypes.Contains(cellType, StringComparer.Ordinal)))
                {
                    continue;
                }

                var cells = new List<InstanceCell>();
                foreach (var a in coco.AnnotationsOf(image.Id).Where(a => !a.IsCrowd))
                {
                    if (!classOf.TryGetValue(a.CategoryId, out var cls))
                    {
                        throw new DataFormatException(set.Annotations, $"annotation {a.Id}", $"category {a.CategoryId} is not among the file's categories");
                    }

                    var polygons = a.Segmentation is PolygonSegmentation p
                        ? p.Polygons
                        : Contours.OuterPolygons(a.Segmentation.ToRle(image.Height, image.Width).Decode());
                    if (polygons.Count == 0 || a.Bbox.Width <= 0 || a.Bbox.Height <= 0)
                    {
                        continue;
                    }

                    cells.Add(new InstanceCell(cls, (float)a.Bbox.X, (float)a.Bbox.Y, (float)(a.Bbox.X + a.Bbox.Width), (float)(a.Bbox.Y + a.Bbox.Height), polygons));
                }

                if (cells.Count == 0)
                {
                    continue;
                }

                var path = ResolveImage(set, image);
                var gray = await GrayImageIO.ReadAsync(path, cancellationToken).ConfigureAwait(false);
                if (gray.Width != image.Width || gray.Height != image.Height)
                {
                    throw new DataFormatException(set.Annotations, $"image {image.Id} ({image.FileName})",
                        $"{path} is {gray.Width}×{gray.Height}, the record says {image.Width}×{image.Height}");
                }

                samples.Add(new InstanceSample(image.Id, image.FileName, cellType, gray, cells));
            }
        }

        return new InstanceDataset(samples, categoryIds ?? []);
    }

    /// <summary>The LIVECell cell type named by a file name, or null.</summary>
    public static string? CellTypeOf(string fileName) =>
        CellSeg.Data.Livecell.CellTypes.TryFromFileName(Path.GetFileName(fileName), out var t) ? t : null;

    /// <summary>
    /// Where an image record's file is: the folder itself, or LIVECell's sub-folder of its cell type
    /// (see <see cref="LivecellLayout.TryResolveImageIn"/>).
    /// </summary>
    /// <exception cref="DataFormatException">No candidate exists (names the record and the paths tried).</exception>
    public static string ResolveImage(CocoImageSet set, CocoImage image)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(image);
        return ImageFiles.Resolve(set.Images, image, set.Annotations);
    }
}
