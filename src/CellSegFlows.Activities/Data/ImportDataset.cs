using CellSeg.Data.Datasets;
using CellSegFlows.Engine.Activities;
using Microsoft.Extensions.Logging;

namespace CellSegFlows.Activities.Data;

/// <summary>Brings a dataset already on disk (a LIVECell download or any folder of images plus a COCO file) into the run.</summary>
[Activity("ImportDataset", Category = "Data", Description = "A dataset already on disk (LIVECell layout, or images plus a COCO file): checks every image is there, optionally keeps some cell types or a few images per cell type, stores annotations and images as artifacts.")]
public sealed class ImportDataset : Activity<ImportDataset.Input, ImportDataset.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("The dataset folder (holds annotations/ and images/, or the files themselves).", Kind = PortKind.FolderToRead)] string Folder,
        [property: Port("train, val or test: which LIVECell-wide file and image folder; any name when 'annotationsFile' is given.")] string Split = "test",
        [property: Port("A COCO file instead of LIVECell's (absolute, or relative to the folder); a path, where other activities' 'annotations' is an artifact.", Kind = PortKind.FileToRead, RelativeTo = "folder", FormerNames = ["annotations"])] string? AnnotationsFile = null,
        [property: Port("Where the images are (absolute, or relative to the folder); default: LIVECell's folder of the split.", Kind = PortKind.FolderToRead, RelativeTo = "folder")] string? ImagesFolder = null,
        [property: Port("Keep only these cell types (e.g. [\"SHSY5Y\", \"SkBr3\"]); empty keeps all.")] IReadOnlyList<string>? CellTypes = null,
        [property: Port("Keep at most this many images per cell type (the first in file order); 0 keeps all.")] int MaxImagesPerCellType = 0,
        [property: Port("Skip bad records and missing images (listed in the outputs) instead of failing.")] bool Lenient = false);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("COCO ground truth of exactly the imported images.")] ArtifactRef Annotations,
        [property: Port("The images, one artifact each, named as in the annotations.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("Images imported.")] int ImageCount,
        [property: Port("Cells annotated in them.")] int CellCount,
        [property: Port("Records and images skipped (lenient mode).")] int Skipped);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var import = await DatasetImporter.ImportAsync(
            new DatasetImportOptions
            {
                Root = input.Folder,
                Split = input.Split,
                AnnotationsFile = input.AnnotationsFile,
                ImagesFolder = input.ImagesFolder,
                CellTypes = input.CellTypes,
                MaxImagesPerCellType = input.MaxImagesPerCellType > 0 ? input.MaxImagesPerCellType : null,
                Lenient = input.Lenient,
                OutputFolder = context.WorkFolder,
            },
            new CellSeg.Data.SyncProgress<(string Phase, double Fraction)>(p => context.Progress.Report(new StepProgress(p.Fraction * 0.5, p.Phase))),
            ct).ConfigureAwait(false);
        foreach (var issue in import.Issues.Take(50))
        {
            context.Logger.LogWarning("skipped {Issue}", issue.ToString());
        }

        var images = await ArtifactFolders.StoreImagesAsync(import.Images, context, 0.5).ConfigureAwait(false);
        var annotations = await context.Artifacts.PutFileAsync(import.AnnotationsPath, Path.GetFileName(import.AnnotationsPath), ct).ConfigureAwait(false);
        var cells = import.Dataset.Annotations.Count;
        context.ReportMetric("images", images.Count, null);
        context.ReportMetric("cells", cells, null);
        context.ReportMetric("skipped", import.Issues.Count, null);
        return new Output(annotations, images, images.Count, cells, import.Issues.Count);
    }
}
