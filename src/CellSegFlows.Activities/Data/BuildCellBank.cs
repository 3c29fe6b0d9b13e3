using CellSeg.Data.Coco;
using CellSeg.Synthesis;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Data;

/// <summary>Cuts every annotated cell out of real images once (plus backgrounds and real densities), for the density branches of GenerateSynthetic to share.</summary>
[Activity("BuildCellBank", Category = "Data", Description = "Cell bank for synthetic data: every annotated cell cut out with its mask per cell type (border cells left out), real-texture backgrounds, real cells per image; one binary file.")]
public sealed class BuildCellBank : Activity<BuildCellBank.Input, BuildCellBank.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("COCO ground truth of the real images.")] ArtifactRef Annotations,
        [property: Port("The real images as artifacts, named as in the annotations (or give imagesFolder).")] IReadOnlyList<ArtifactRef>? Images = null,
        [property: Port("A folder holding the real images (file_name, or <CellType>/file_name), used when images is not given.", Kind = PortKind.FolderToRead)] string? ImagesFolder = null,
        [property: Port("Pixels of each cell's halo (its source rim outside the mask, 0..32) kept for GenerateSynthetic's pasteHalo; 0: none.")] int HaloWidth = 3);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The cell bank file.")] ArtifactRef Bank,
        [property: Port("Cells in the bank.")] int Cells);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        if (input.HaloWidth is < 0 or > 32)
        {
            throw new ActivityInputException("haloWidth", $"must be in 0..32 pixels, was {input.HaloWidth}");
        }

        var bank = await SynthesisInputs.BuildBankAsync(input.Annotations, input.Images, input.ImagesFolder, context, new CellBankOptions { HaloWidth = input.HaloWidth }).ConfigureAwait(false);
        var path = Path.Combine(context.WorkFolder, "bank.bin");
        await CellBankFile.SaveAsync(bank, path, ct).ConfigureAwait(false);
        foreach (var type in bank.CellTypes)
        {
            context.ReportMetric($"cells/{type}", bank.CellsOf(type).Count, null);
            context.ReportMetric($"excluded/{type}", bank.ExclusionsOf(type).Total, null);
        }

        return new Output(await context.Artifacts.PutFileAsync(path, "cell-bank.bin", ct).ConfigureAwait(false), bank.Count);
    }
}

/// <summary>Where the synthesis activities get their bank from.</summary>
internal static class SynthesisInputs
{
    public static async Task<CellBank> BuildBankAsync(ArtifactRef? annotations, IReadOnlyList<ArtifactRef>? images, string? imagesFolder, ActivityContext context, CellBankOptions? options = null)
    {
        var ct = context.CancellationToken;
        if (annotations is null)
        {
            throw new ActivityInputException("annotations", "a cell bank needs the annotations of the real images (or give bank)");
        }

        var dataset = await CocoReader.LoadAsync(context.Artifacts.GetPath(annotations), cancellationToken: ct).ConfigureAwait(false);
        var byName = (images ?? []).ToDictionary(a => a.Name, StringComparer.Ordinal);
        if (byName.Count == 0 && string.IsNullOrWhiteSpace(imagesFolder))
        {
            throw new ActivityInputException("images", "a cell bank needs the real images: give images (artifacts) or imagesFolder");
        }

        var progress = new CellSeg.Data.SyncProgress<double>(f => context.Progress.Report(new StepProgress(0.2 * f, "cutting cells")));
        return byName.Count > 0
            ? await CellBank.BuildAsync(dataset, image => byName.TryGetValue(image.FileName, out var a) ? context.Artifacts.GetPath(a) : null, options, progress, ct).ConfigureAwait(false)
            : await CellBank.BuildAsync(dataset, imagesFolder!, options, progress, ct).ConfigureAwait(false);
    }
}
