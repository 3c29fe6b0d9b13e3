using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;

namespace CellSeg.Data.Datasets;

/// <summary>Checks that images decode as gray images of the size their annotations give.</summary>
public static class ImageCheck
{
    /// <summary>
    /// Decodes every image and compares its size with the COCO record. Returns one issue per image that
    /// cannot be read, is not gray, or has another size; in strict mode the first one is thrown instead.
    /// </summary>
    /// <param name="images">COCO records with the file that holds each.</param>
    /// <param name="annotationsPath">The annotation file, named in errors.</param>
    /// <param name="lenient">List problems instead of throwing the first.</param>
    /// <param name="progress">Fraction of images checked.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    /// <exception cref="DataFormatException">Strict mode: the first bad image, naming the file and the reason.</exception>
    public static async Task<IReadOnlyList<ReadIssue>> CheckAsync(
        IReadOnlyList<(CocoImage Image, string Path)> images, string annotationsPath, bool lenient, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var issues = new List<ReadIssue>();
        for (var i = 0; i < images.Count; i++)
        {
            var (image, path) = images[i];
            string? reason = null;
            try
            {
                var pixels = await GrayImageIO.ReadAsync(path, cancellationToken).ConfigureAwait(false);
                if (pixels.Width != image.Width || pixels.Height != image.Height)
                {
                    reason = $"{path} is {pixels.Width}×{pixels.Height} but the annotations say {image.Width}×{image.Height}";
                }
            }
            catch (DataFormatException ex)
            {
                reason = ex.Message;
            }
            catch (IOException ex)
            {
                reason = $"{path}: {ex.Message}";
            }

            if (reason is not null)
            {
                if (!lenient)
                {
                    throw new DataFormatException(annotationsPath, $"image {image.Id} ({image.FileName})", reason);
                }

                issues.Add(new ReadIssue($"image {image.Id} ({image.FileName})", reason));
            }

            progress?.Report((i + 1.0) / images.Count);
        }

        return issues;
    }
}
