using CellSeg.Synthesis;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Data;

/// <summary>One density level of synthetic data (the paper's dataset extending): real cells pasted on real-texture backgrounds, exact RLE annotations.</summary>
[Activity("GenerateSynthetic", Category = "Data", Description = "Synthetic images at one density (cells per image) from the real annotated cells: random position, rotation and flip, overlap none/bounded/clustered, optional per-cell-type density cap from the real data; TIFFs, COCO (RLE of the visible pixels) and a Figure-4-style preview.")]
public sealed class GenerateSynthetic : Activity<GenerateSynthetic.Input, GenerateSynthetic.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("A cell bank from BuildCellBank (shared by all density branches); else give annotations and images.")] ArtifactRef? Bank = null,
        [property: Port("COCO ground truth of the real images the cells are cut from (when no bank is given).")] ArtifactRef? Annotations = null,
        [property: Port("The real images as artifacts, named as in the annotations (or give imagesFolder).")] IReadOnlyList<ArtifactRef>? Images = null,
        [property: Port("A folder holding the real images (file_name, or <CellType>/file_name), used when images is not given.", Kind = PortKind.FolderToRead)] string? ImagesFolder = null,
        [property: Port("Cells per image (one level; map over a list of levels for a per-density set).")] int Density = 100,
        [property: Port("Images per cell type.", FormerNames = ["imagesPerType"])] int ImagesPerCellType = 10,
        [property: Port("none, bounded (at most 20% of a cell may cover others) or clustered (hard examples).")] string Overlap = "bounded",
        [property: Port("Cap each cell type at the 95th percentile (calibrationQuantile) of its real cells per image.")] bool Calibrated = false,
        [property: Port("Quantile of the real cells-per-image counts used as the cap when calibrated.")] double CalibrationQuantile = 0.95,
        [property: Port("Each image asks for as many cells as a real image of its cell type (a source image's count at random, ×0.8–1.2) instead of density, which then only names the set.")] bool RealDensity = false,
        [property: Port("Blend each cell's halo (its source rim, see BuildCellBank's haloWidth) onto the background; false: a hard cut-out edge.")] bool PasteHalo = true,
        [property: Port("Write polygons (lossy for occluded cells) instead of compressed RLE.")] bool Polygons = false,
        [property: Port("Levels shown in the preview sheet beside a real image; default 20, 100, 500, 1000.")] IReadOnlyList<int>? PreviewDensities = null,
        [property: Port("Cell type of the preview sheet; default the first type of the bank.")] string? PreviewCellType = null,
        [property: Port("Seed of every random choice.")] int Seed = 1);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("COCO ground truth of the synthetic images (RLE of the visible pixels of every cell).")] ArtifactRef Annotations,
        [property: Port("The synthetic images, one artifact each, named as in the annotations.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("PNG: a real image beside synthetic ones at each preview density.")] ArtifactRef Preview,
        [property: Port("Cells pasted and annotated.")] long Placed,
        [property: Port("Cells that found no acceptable position.")] long Unplaced);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var progress = context.Progress;
        var bank = input.Bank is not null
            ? await CellBankFile.LoadAsync(context.Artifacts.GetPath(input.Bank), ct).ConfigureAwait(false)
            : await SynthesisInputs.BuildBankAsync(input.Annotations, input.Images, input.ImagesFolder, context).ConfigureAwait(false);
        var options = new SynthesisOptions
        {
            Seed = input.Seed,
            ImagesPerCellType = input.ImagesPerCellType,
            Overlap = OverlapModes.Parse(input.Overlap),
            Segmentation = input.Polygons ? SegmentationFormat.Polygons : SegmentationFormat.Rle,
            RealDensity = input.RealDensity,
            PasteHalo = input.PasteHalo,
        };
        var calibration = input.Calibrated ? new DensityCalibration(input.CalibrationQuantile) : null;
        var set = await SyntheticGenerator.GenerateAsync(bank, input.Density, options, Path.Combine(context.WorkFolder, "synthetic"), calibration,
            new CellSeg.Data.SyncProgress<SynthesisProgress>(p => progress.Report(new StepProgress(0.2 + 0.7 * p.ImagesDone / Math.Max(1, p.ImagesTotal), "composing images"))), ct).ConfigureAwait(false);
        var previewPath = Path.Combine(context.WorkFolder, "preview.png");
        await PreviewSheet.WritePngAsync(bank, input.PreviewCellType ?? bank.CellTypes[0], input.PreviewDensities ?? [20, 100, 500, 1000], options, previewPath, calibration, ct).ConfigureAwait(false);

        var images = new List<ArtifactRef>(set.ImageFiles.Count);
        foreach (var name in set.ImageFiles)
        {
            images.Add(await context.Artifacts.PutFileAsync(Path.Combine(set.ImagesFolder, name), name, ct).ConfigureAwait(false));
        }

        foreach (var type in set.PerType)
        {
            context.ReportMetric($"placed/{type.CellType}", type.Placed, null);
            context.ReportMetric($"unplaced/{type.CellType}", type.Unplaced, null);
            context.ReportMetric($"density/{type.CellType}", type.TargetDensity, null);
        }

        context.ReportMetric("placed", set.Placed, null);
        context.ReportMetric("unplaced", set.Unplaced, null);
        return new Output(
            await context.Artifacts.PutFileAsync(set.AnnotationsPath, $"synthetic_d{input.Density}.json", ct).ConfigureAwait(false),
            images,
            await context.Artifacts.PutFileAsync(previewPath, $"preview_d{input.Density}.png", ct).ConfigureAwait(false),
            set.Placed,
            set.Unplaced);
    }
}
