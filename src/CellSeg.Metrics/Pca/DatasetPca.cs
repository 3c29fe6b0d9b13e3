using System.Globalization;
using System.Text;
using System.Text.Json;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.IO;
using CellSeg.Data.Livecell;

namespace CellSeg.Metrics.Pca;

/// <summary>One dataset to place in the PCA: its annotations and where each image lies.</summary>
/// <param name="Label">Shown in the plot's legend (e.g. <c>original</c>, <c>extended d100</c>).</param>
/// <param name="Dataset">The annotations.</param>
/// <param name="PathOf">The file of an image, or null when it is not available (the image is then skipped).</param>
public sealed record PcaDatasetInput(string Label, CocoDataset Dataset, Func<CocoImage, string?> PathOf);

/// <summary>Settings of a dataset PCA.</summary>
public sealed record DatasetPcaOptions
{
    /// <summary>Which features describe an image.</summary>
    public FeatureSet Features { get; init; } = FeatureSet.Masks;

    /// <summary>Blocks across for grid features (default 32: 22×22-pixel blocks on LIVECell's 704 px).</summary>
    public int GridWidth { get; init; } = 32;

    /// <summary>Blocks down for grid features (default 24).</summary>
    public int GridHeight { get; init; } = 24;

    /// <summary>At most this many images per dataset, taken evenly through the file (deterministic); 0 takes all.</summary>
    public int MaxImagesPerDataset { get; init; } = 500;
}

/// <summary>One image's place in the PCA.</summary>
public sealed record PcaPoint(string Dataset, long ImageId, string FileName, string? CellType, double Pc1, double Pc2);

/// <summary>The PCA of one or more datasets, fitted on all their images together so they share axes.</summary>
/// <param name="Features">The feature set used.</param>
/// <param name="ExplainedVarianceRatio">Fraction of the variance along PC1 and PC2.</param>
/// <param name="Points">One point per image.</param>
/// <param name="SkippedImages">Images without a file.</param>
public sealed record DatasetPcaResult(FeatureSet Features, IReadOnlyList<double> ExplainedVarianceRatio, IReadOnlyList<PcaPoint> Points, int SkippedImages)
{
    /// <summary>Writes the points and the explained variance as JSON (atomically).</summary>
    public Task WriteJsonAsync(string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, (stream, ct) => JsonSerializer.SerializeAsync(stream, this, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }, ct), cancellationToken);

    /// <summary>Writes the points as CSV (dataset, image id, file, cell type, pc1, pc2).</summary>
    public Task WriteCsvAsync(string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            var c = CultureInfo.InvariantCulture;
            var text = new StringBuilder("dataset,image_id,file_name,cell_type,pc1,pc2\n");
            foreach (var p in Points)
            {
                text.Append(c, $"{Csv(p.Dataset)},{p.ImageId},{Csv(p.FileName)},{Csv(p.CellType ?? string.Empty)},{p.Pc1:R},{p.Pc2:R}\n");
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), ct).ConfigureAwait(false);
        }, cancellationToken);

    private static string Csv(string value) => value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
        ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : value;
}

/// <summary>
/// The paper's Figures 1 and 2: every image of one or more datasets (the original and its synthetic
/// extensions) as a feature vector, projected on the first two principal components.
/// </summary>
public static class DatasetPca
{
    /// <summary>Computes the features of every image, fits the PCA on all of them, and projects each.</summary>
    /// <exception cref="ArgumentException">Fewer than two images have files, or the grid does not fit an image.</exception>
    /// <exception cref="CellSeg.Data.DataFormatException">An image cannot be read.</exception>
    public static async Task<DatasetPcaResult> ComputeAsync(IReadOnlyList<PcaDatasetInput> datasets, DatasetPcaOptions? options = null, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        options ??= new DatasetPcaOptions();
        var chosen = datasets.SelectMany(d => Choose(d.Dataset.Images, options.MaxImagesPerDataset).Select(i => (Input: d, Image: i))).ToList();
        var vectors = new List<double[]>(chosen.Count);
        var meta = new List<(string Dataset, CocoImage Image)>(chosen.Count);
        var skipped = 0;
        var needsPixels = options.Features != FeatureSet.Masks;
        for (var i = 0; i < chosen.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (input, image) = chosen[i];
            var path = input.PathOf(image);
            if (path is null)
            {
                skipped++;
                continue;
            }

            var pixels = needsPixels ? await GrayImageIO.ReadAsync(path, cancellationToken).ConfigureAwait(false) : null;
            vectors.Add(ImageFeatures.Of(options.Features, pixels, image, input.Dataset.AnnotationsOf(image.Id), options.GridWidth, options.GridHeight));
            meta.Add((input.Label, image));
            progress?.Report(0.9 * (i + 1) / chosen.Count);
        }

        if (vectors.Count < 2)
        {
            throw new ArgumentException($"a PCA needs at least 2 images with files; {vectors.Count} found ({skipped} without a file)");
        }

        var pca = PrincipalComponents.Fit(vectors, 2, ImageFeatures.NeedsStandardising(options.Features));
        var points = new List<PcaPoint>(vectors.Count);
        for (var i = 0; i < vectors.Count; i++)
        {
            var scores = pca.Transform(vectors[i]);
            var (label, image) = meta[i];
            points.Add(new PcaPoint(label, image.Id, image.FileName, CellTypes.TryFromFileName(image.FileName, out var t) ? t : null, scores[0], scores.Length > 1 ? scores[1] : 0));
        }

        progress?.Report(1);
        var ratios = pca.ExplainedVarianceRatio.ToList();
        while (ratios.Count < 2)
        {
            ratios.Add(0);
        }

        return new DatasetPcaResult(options.Features, ratios, points, skipped);
    }

    private static IEnumerable<CocoImage> Choose(IReadOnlyList<CocoImage> images, int max)
    {
        if (max <= 0 || images.Count <= max)
        {
            return images;
        }

        // Evenly through the file: deterministic, and it keeps every cell line of a file sorted by type.
        return Enumerable.Range(0, max).Select(k => images[(int)((long)k * images.Count / max)]);
    }
}
