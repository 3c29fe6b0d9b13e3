using CellSeg.Data;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using CellSeg.Metrics.Binary;
using CellSeg.Models.Data;

namespace CellSeg.Models.Evaluation;

/// <summary>
/// Scores binary mask PNGs already on disk (one per image, named by <see cref="InstancesToSemantic.MaskFileName"/>,
/// any non-zero pixel a cell) against a split's ground truth, giving the same <see cref="SemanticEvaluation"/> as
/// <see cref="SemanticEvaluator"/> gives a U-Net: so CenterMask's union masks and the U-Nets share one table.
/// </summary>
public static class MaskFolderEvaluator
{
    /// <summary>Reads each sample's mask from <paramref name="masksFolder"/> and compares it with the sample's ground truth.</summary>
    /// <exception cref="DataFormatException">A mask is missing or of another size than its image.</exception>
    public static async Task<SemanticEvaluation> EvaluateAsync(SegmentationDataset dataset, string masksFolder,
        IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var images = new List<ImageScore>(dataset.Count);
        foreach (var sample in dataset.Samples)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Path.Combine(masksFolder, InstancesToSemantic.MaskFileName(sample.FileName));
            if (!File.Exists(path))
            {
                throw new DataFormatException(path, null, $"no mask for image {sample.FileName}");
            }

            var png = await GrayImageIO.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (png.Width != sample.Mask.Width || png.Height != sample.Mask.Height)
            {
                throw new DataFormatException(path, null, $"mask is {png.Width}x{png.Height} but image {sample.FileName} is {sample.Mask.Width}x{sample.Mask.Height}");
            }

            var predicted = new BinaryMask(png.Height, png.Width);
            for (var y = 0; y < png.Height; y++)
            {
                for (var x = 0; x < png.Width; x++)
                {
                    predicted[x, y] = png[x, y] == 0 ? (byte)0 : (byte)1;
                }
            }

            images.Add(new ImageScore(sample.ImageId, sample.FileName, sample.CellType, BinaryCounts.Compare(predicted, sample.Mask)));
            progress?.Report(new EvaluationProgress(images.Count, dataset.Count, sample.FileName));
        }

        return SemanticEvaluator.Summarize(images);
    }
}
