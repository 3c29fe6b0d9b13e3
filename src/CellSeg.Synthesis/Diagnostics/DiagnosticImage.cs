using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;

namespace CellSeg.Synthesis.Diagnostics;

/// <summary>One image as the diagnostics see it: 8-bit pixels, a label image of its cells and its cell count.</summary>
/// <param name="CellType">The cell type (from the file name).</param>
/// <param name="FileName">The image's file name (for the report).</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Pixels">8-bit gray values, row-major.</param>
/// <param name="Labels">0 where no cell is, else the 1-based index of the (topmost) cell.</param>
/// <param name="Cells">Number of annotated cells (the image's density).</param>
public sealed record DiagnosticImage(string CellType, string FileName, int Width, int Height, byte[] Pixels, ushort[] Labels, int Cells)
{
    /// <summary>A composed synthetic image, as the generator made it (its labels are its annotations).</summary>
    public static DiagnosticImage FromComposed(string cellType, string fileName, ComposedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new DiagnosticImage(cellType, fileName, image.Width, image.Height, (byte[])image.Pixels.Clone(), (ushort[])image.Labels.Clone(), image.Placements.Count);
    }

    /// <summary>
    /// Reads the images of a COCO file with their annotations, at most <paramref name="maxPerCellType"/> per cell type
    /// (the first in file order). Images whose name has no LIVECell cell type are skipped.
    /// </summary>
    /// <exception cref="DataFormatException">An image file is missing, unreadable or of another size than its record.</exception>
    public static async Task<IReadOnlyList<DiagnosticImage>> LoadAsync(CocoDataset dataset, Func<CocoImage, string?> locate, int maxPerCellType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(locate);
        var source = dataset.SourcePath ?? "annotations";
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<DiagnosticImage>();
        foreach (var image in dataset.Images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!Data.Livecell.CellTypes.TryFromFileName(image.FileName, out var cellType) || taken.GetValueOrDefault(cellType) >= maxPerCellType)
            {
                continue;
            }

            var record = $"image {image.Id} '{image.FileName}'";
            var path = locate(image);
            if (path is null || !File.Exists(path))
            {
                throw new DataFormatException(path ?? image.FileName, record, $"image file named in {source} was not found");
            }

            var gray = await GrayImageIO.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (gray.Width != image.Width || gray.Height != image.Height)
            {
                throw new DataFormatException(path, record, $"image is {gray.Width}x{gray.Height} but {source} says {image.Width}x{image.Height}");
            }

            int w = image.Width, h = image.Height;
            var labels = new ushort[w * h];
            var annotations = dataset.AnnotationsOf(image.Id);
            var label = 0;
            foreach (var annotation in annotations)
            {
                label = Math.Min(label + 1, ushort.MaxValue);
                foreach (var (x, y) in annotation.Segmentation.ToRle(h, w).ForegroundPixels())
                {
                    labels[y * w + x] = (ushort)label;
                }
            }

            taken[cellType] = taken.GetValueOrDefault(cellType) + 1;
            result.Add(new DiagnosticImage(cellType, image.FileName, w, h, EightBit(gray), labels, annotations.Count));
        }

        return result;
    }

    private static byte[] EightBit(GrayImage image)
    {
        if (image.BitDepth == 8)
        {
            return image.Pixels8;
        }

        var source = image.Pixels16;
        var pixels = new byte[source.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((source[i] + 128) / 257);
        }

        return pixels;
    }
}
