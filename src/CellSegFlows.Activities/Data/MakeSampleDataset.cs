using CellSeg.Data.Samples;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Data;

/// <summary>Makes the small LIVECell-like sample offline (images + COCO annotations) and stores it as artifacts.</summary>
[Activity("MakeSampleDataset", Category = "Data", Description = "A small LIVECell-like dataset made offline: 8-bit TIFFs named like LIVECell files and COCO polygon annotations.")]
public sealed class MakeSampleDataset : Activity<MakeSampleDataset.Input, MakeSampleDataset.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("Images per cell type (8 cell types).")] int ImagesPerCellType = 1,
        [property: Port("Seed of every random choice.")] int Seed = 1,
        [property: Port("Image width in pixels.")] int Width = 320,
        [property: Port("Image height in pixels.")] int Height = 240);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("COCO ground truth.")] ArtifactRef Annotations,
        [property: Port("The images, one artifact each, named as in the annotations.")] IReadOnlyList<ArtifactRef> Images);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var folder = Path.Combine(context.WorkFolder, "sample");
        var sample = await SampleDatasetGenerator.WriteAsync(
            folder,
            new SampleDatasetOptions { ImagesPerCellType = input.ImagesPerCellType, Seed = input.Seed, Width = input.Width, Height = input.Height },
            new CellSeg.Data.SyncProgress<double>(f => context.Progress.Report(new StepProgress(f * 0.9, "drawing images"))),
            context.CancellationToken).ConfigureAwait(false);
        var images = new List<ArtifactRef>();
        foreach (var image in sample.Dataset.Images)
        {
            images.Add(await context.Artifacts.PutFileAsync(Path.Combine(sample.ImagesFolder, image.FileName), image.FileName, context.CancellationToken).ConfigureAwait(false));
        }

        var annotations = await context.Artifacts.PutFileAsync(sample.AnnotationsPath, "annotations.json", context.CancellationToken).ConfigureAwait(false);
        context.ReportMetric("images", images.Count, null);
        context.ReportMetric("cells", sample.Dataset.Annotations.Count, null);
        return new Output(annotations, images);
    }
}
