using System.Text.Json;
using System.Text.Json.Serialization;
using CellSeg.Data.Coco;
using CellSeg.Data.IO;

namespace CellSeg.Data.Datasets;

/// <summary>One image of a dataset manifest.</summary>
/// <param name="Id">The COCO image id.</param>
/// <param name="FileName">The file name the annotations use.</param>
/// <param name="Path">Where the image lies (full path), or null when it was not located.</param>
/// <param name="Split">train, val, test, or a name of the user's.</param>
/// <param name="CellType">The LIVECell cell line from the file name, or null for other names.</param>
/// <param name="Width">Width in pixels (from the annotations).</param>
/// <param name="Height">Height in pixels (from the annotations).</param>
/// <param name="Cells">Annotated cells (crowd regions not counted).</param>
/// <param name="CellsPerMegapixel">Cells per 10⁶ pixels, so images of different sizes compare.</param>
/// <param name="Coverage">Sum of the cells' areas over the image area (LIVECell cells barely overlap, so this is close to the confluence), capped at 1.</param>
/// <param name="MeanCellArea">Mean annotation area in px² (0 without cells).</param>
public sealed record DatasetImageEntry(
    long Id, string FileName, string? Path, string Split, string? CellType, int Width, int Height,
    int Cells, double CellsPerMegapixel, double Coverage, double MeanCellArea);

/// <summary>Cells-per-image distribution of one group of images (a cell type, or "all").</summary>
/// <param name="Group">Cell type, <c>all</c>, or <c>(other)</c>.</param>
/// <param name="Images">Images in the group.</param>
/// <param name="Cells">Cells in the group.</param>
/// <param name="MinCellsPerImage">Fewest cells in one image.</param>
/// <param name="P05CellsPerImage">5th percentile of cells per image (linear interpolation between ranks).</param>
/// <param name="MedianCellsPerImage">Median cells per image.</param>
/// <param name="MeanCellsPerImage">Mean cells per image.</param>
/// <param name="P95CellsPerImage">95th percentile of cells per image — the natural density cap of a cell type.</param>
/// <param name="MaxCellsPerImage">Most cells in one image.</param>
/// <param name="MedianCellArea">Median annotation area in px².</param>
/// <param name="MeanCoverage">Mean of the images' <see cref="DatasetImageEntry.Coverage"/>.</param>
public sealed record DensityStatistics(
    string Group, int Images, int Cells, int MinCellsPerImage, double P05CellsPerImage, double MedianCellsPerImage,
    double MeanCellsPerImage, double P95CellsPerImage, int MaxCellsPerImage, double MedianCellArea, double MeanCoverage);

/// <summary>
/// What a pipeline knows about a dataset after parsing it: every image with its cell type, split, cell
/// count and density, statistics per cell type, and the records that were skipped (lenient mode) with
/// the reason for each. Written as JSON next to the run; later nodes read it instead of the COCO file.
/// </summary>
/// <param name="Name">A label for reports (e.g. <c>livecell test</c>).</param>
/// <param name="Split">The split of every image.</param>
/// <param name="AnnotationsFile">The COCO file it was made from.</param>
/// <param name="Images">Every image, in the annotation file's order.</param>
/// <param name="Statistics">One row per cell type (alphabetical), then <c>all</c>.</param>
/// <param name="Issues">Records skipped or found wrong, each naming the record and the reason.</param>
public sealed record DatasetManifest(
    string Name, string Split, string AnnotationsFile, IReadOnlyList<DatasetImageEntry> Images,
    IReadOnlyList<DensityStatistics> Statistics, IReadOnlyList<ReadIssue> Issues)
{
    /// <summary>The version of the JSON layout, written into every file.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Writes the manifest as JSON (atomically).</summary>
    public Task WriteAsync(string path, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, (stream, ct) => JsonSerializer.SerializeAsync(stream, new ManifestFile(FormatVersion, this), Json, ct), cancellationToken);

    /// <summary>Reads a manifest written by <see cref="WriteAsync"/>.</summary>
    /// <exception cref="DataFormatException">The file is not a manifest, or a field is missing or of the wrong type.</exception>
    public static async Task<DatasetManifest> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ManifestFile? file;
        try
        {
            await using var stream = File.OpenRead(path);
            file = await JsonSerializer.DeserializeAsync<ManifestFile>(stream, Json, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 0 } p ? $"field {p}" : ex.LineNumber is { } line ? $"line {line + 1}" : null;
            throw new DataFormatException(path, where, $"not a dataset manifest: {ex.Message}", ex);
        }
        catch (FileNotFoundException ex)
        {
            throw new DataFormatException(path, null, "dataset manifest not found", ex);
        }

        if (file is null || file.Manifest is null)
        {
            throw new DataFormatException(path, null, "not a dataset manifest: the 'manifest' object is missing");
        }

        return file.FormatVersion == FormatVersion
            ? file.Manifest
            : throw new DataFormatException(path, "formatVersion", $"version {file.FormatVersion} is not supported (this build reads version {FormatVersion})");
    }

    private sealed record ManifestFile(int FormatVersion, DatasetManifest Manifest);
}
