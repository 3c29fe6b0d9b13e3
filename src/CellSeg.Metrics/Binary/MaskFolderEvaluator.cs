using CellSeg.Data;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;

namespace CellSeg.Metrics.Binary;

/// <summary>
/// Scores binary mask PNGs already on disk (one per image, named by <see cref="MaskFileName"/>, any non-zero
/// pixel a cell) against a split's ground truth, giving the same <see cref="SemanticEvaluation"/> as a U-Net's
/// evaluation: so CenterMask's union masks and the U-Nets share one table.
/// </summary>
public static class MaskFolderEvaluator
{
    /// <summary>The mask file of an image: its file name with a .png extension.</summary>
    public static string MaskFileName(string imageFileName) => Path.GetFileNameWithoutExtension(imageFileName) + ".png";

    /// <summary>Reads each image's mask from <paramref name="masksFolder"/> and compares it with the image's ground truth.</summary>
    /// <exception cref="DataFormatException">A mask is missing or of another size than its image.</exception>
    public static async Task<SemanticEvaluation> EvaluateAsync(IReadOnlyList<SemanticGroundTruth> groundTruth, string masksFolder,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groundTruth);
        var images = new List<ImageScore>(groundTruth.Count);
        foreach (var truth in groundTruth)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Path.Combine(masksFolder, MaskFileName(truth.FileName));
            if (!File.Exists(path))
            {
                throw new DataFormatException(path, null, $"no mask for image {truth.FileName}");
            }

            var png = await GrayImageIO.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (png.Width != truth.Mask.Width || png.Height != truth.Mask.Height)
            {
                throw new DataFormatException(path, null, $"mask is {png.Width}x{png.Height} but image {truth.FileName} is {truth.Mask.Width}x{truth.Mask.Height}");
            }

            var predicted = new BinaryMask(png.Height, png.Width);
            for (var y = 0; y < png.Height; y++)
            {
                for (var x = 0; x < png.Width; x++)
                {
                    predicted[x, y] = png[x, y] == 0 ? (byte)0 : (byte)1;
                }
            }

            images.Add(new ImageScore(truth.ImageId, truth.FileName, truth.CellType, BinaryCounts.Compare(predicted, truth.Mask)));
            progress?.Report(new EvaluationProgress(images.Count, groundTruth.Count, truth.FileName));
        }

        return SemanticEvaluation.Pool(images);
    }
}
