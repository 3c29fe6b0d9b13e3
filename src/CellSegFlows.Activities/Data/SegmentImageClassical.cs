using CellSeg.Data.Baselines;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Data;

/// <summary>Segments one image with the classical contrast baseline and stores a COCO results file for it.</summary>
[Activity("SegmentImageClassical", Category = "Segmentation", Description = "Training-free baseline: local-contrast threshold, hole filling, one instance per connected component.")]
public sealed class SegmentImageClassical : Activity<SegmentImageClassical.Input, SegmentImageClassical.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("The image (TIFF or PNG, 8/16-bit gray).")] ArtifactRef Image,
        [property: Port("COCO ground truth that names the image (for its image id).")] ArtifactRef Annotations);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("COCO results for this image (compressed RLE).")] ArtifactRef Predictions,
        [property: Port("Cells found.")] int Cells);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var gt = await CocoReader.LoadAsync(context.Artifacts.GetPath(input.Annotations), cancellationToken: context.CancellationToken).ConfigureAwait(false);
        var entry = gt.Images.FirstOrDefault(i => i.FileName == input.Image.Name)
            ?? throw new ActivityInputException("image", $"image '{input.Image.Name}' is not named in the annotations");
        var image = await GrayImageIO.ReadAsync(context.Artifacts.GetPath(input.Image), context.CancellationToken).ConfigureAwait(false);
        var cells = ContrastSegmenter.Segment(image);
        var path = Path.Combine(context.WorkFolder, "predictions.json");
        await CocoWriter.WriteDetectionsAsync(cells.Select(c => new CocoDetection(entry.Id, 1, c.Score, new RleSegmentation(c.Mask), null)), path, context.CancellationToken).ConfigureAwait(false);
        return new Output(await context.Artifacts.PutFileAsync(path, $"predictions-{entry.Id}.json", context.CancellationToken).ConfigureAwait(false), cells.Count);
    }
}
