using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Runs a trained CenterMask over images and writes a COCO results file as centermask2's evaluator does: one entry
/// per detected cell with its mask as compressed RLE at the original size, its box (x, y, w, h), its category, and
/// the mask score (score × predicted mask IoU) as score.
/// </summary>
public static class CenterMaskPredictor
{
    /// <summary>Predicts every image and writes <see cref="CenterMaskPredictOptions.OutputPath"/>.</summary>
    /// <param name="options">Model, images, output and inference settings.</param>
    /// <param name="progress">One report per image.</param>
    /// <param name="cancellationToken">Stops between images; no results file is written then.</param>
    /// <exception cref="DataFormatException">A missing or bad model file, COCO file or image (naming the file).</exception>
    /// <exception cref="ArgumentException">Neither a COCO file nor file names given.</exception>
    public static async Task<CenterMaskPredictResult> PredictAsync(CenterMaskPredictOptions options, IProgress<CenterMaskPredictProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputPath);
        var (images, categoryIds, source) = await ImagesOf(options, cancellationToken).ConfigureAwait(false);

        // Torch's no-grad mode and dispose scopes are per thread: the network runs on one dedicated thread.
        var detections = await Task.Factory.StartNew(() => Predict(options, images, categoryIds, source, progress, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        await CocoWriter.WriteDetectionsAsync(detections, options.OutputPath, cancellationToken).ConfigureAwait(false);
        return new CenterMaskPredictResult(Path.GetFullPath(options.OutputPath), images.Count, detections.Count);
    }

    private static List<CocoDetection> Predict(CenterMaskPredictOptions options, IReadOnlyList<CocoImage> images, IReadOnlyList<int>? categoryIds,
        CocoImageSet source, IProgress<CenterMaskPredictProgress>? progress, CancellationToken ct)
    {
        TorchDevices.SetThreads(options.Threads);
        var device = TorchDevices.Resolve(options.Device);
        using var model = CenterMaskModelFile.Load(options.ModelPath, options.Device, options.Adjust);
        var trainedCategories = CenterMaskModelFile.ReadHeader(options.ModelPath).Training?.GetValueOrDefault("categoryIds");
        if (!string.IsNullOrEmpty(trainedCategories))
        {
            categoryIds = trainedCategories.Split(',').Select(int.Parse).ToArray();
        }

        var input = model.Config.CreateInput();
        var results = new List<CocoDetection>();
        for (var n = 0; n < images.Count; n++)
        {
            ct.ThrowIfCancellationRequested();
            var image = images[n];
            var path = InstanceDataset.ResolveImage(source, image);
            var gray = GrayImageIO.ReadAsync(path, ct).GetAwaiter().GetResult();
            if (image.Width > 0 && image.Height > 0 && (gray.Width != image.Width || gray.Height != image.Height))
            {
                throw new DataFormatException(source.Annotations, $"image {image.Id} ({image.FileName})",
                    $"{path} is {gray.Width}×{gray.Height}, the record says {image.Width}×{image.Height}");
            }

            IReadOnlyList<InstancePrediction> cells;
            using (NewDisposeScope())
            {
                var pixels = gray.BitDepth == 8 ? gray.Pixels8.Select(p => (float)p).ToArray() : gray.Pixels16.Select(p => (float)p).ToArray();
                var batch = input.Prepare([new CenterMaskSample(tensor(pixels, [gray.Height, gray.Width]))], training: false, new Random(0));
                if (device.type != DeviceType.CPU)
                {
                    batch = batch with { Images = batch.Images.to(device) };
                }

                cells = model.Predict(batch)[0];
            }

            foreach (var c in cells)
            {
                var category = categoryIds is not null && c.Class < categoryIds.Count ? categoryIds[c.Class] : c.Class + 1;
                results.Add(new CocoDetection(image.Id, category, c.MaskScore, new RleSegmentation(c.Mask),
                    new BoundingBox(c.X1, c.Y1, c.X2 - c.X1, c.Y2 - c.Y1)));
            }

            progress?.Report(new CenterMaskPredictProgress(n + 1, images.Count, image.FileName, cells.Count));
        }

        return results;
    }

    private static async Task<(IReadOnlyList<CocoImage> Images, IReadOnlyList<int>? CategoryIds, CocoImageSet Source)> ImagesOf(
        CenterMaskPredictOptions options, CancellationToken ct)
    {
        if (options.Annotations is { } annotations)
        {
            var coco = await CocoReader.LoadAsync(annotations, cancellationToken: ct).ConfigureAwait(false);
            return (coco.Images, coco.Categories.Select(c => c.Id).Order().ToArray(), new CocoImageSet(annotations, options.ImagesFolder));
        }

        if (options.FileNames is not { Count: > 0 } names)
        {
            throw new ArgumentException($"CenterMask prediction needs {nameof(options.Annotations)} (a COCO file) or {nameof(options.FileNames)}");
        }

        // Sizes 0: taken from the files themselves.
        var images = names.Select((name, i) => new CocoImage(i + 1, name, 0, 0)).ToArray();
        return (images, null, new CocoImageSet(options.ImagesFolder, options.ImagesFolder));
    }
}
