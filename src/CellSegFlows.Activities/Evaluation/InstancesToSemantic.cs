using CellSeg.Data.Coco;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Evaluation;

/// <summary>An instance model's COCO results → one binary mask PNG per image (the paper's conversion for CenterMask's semantic F1).</summary>
[Activity("InstancesToSemantic", Category = "Evaluation", Description = "Union of each image's predicted instance masks (score at or above a threshold, at most maxDetections per image) as one binary PNG per image, named after the image, so an instance model's semantic F1 can stand beside the U-Nets'.")]
public sealed class InstancesToSemantic : Activity<InstancesToSemantic.Input, InstancesToSemantic.Output>
{
    /// <summary>Inputs.</summary>
    public sealed record Input(
        [property: Port("COCO ground truth of the split: which images, and their sizes.")] ArtifactRef Annotations,
        [property: Port("COCO results file (compressed RLE masks with scores), e.g. PredictInstances' output.")] ArtifactRef Predictions,
        [property: Port("Score a detection needs to be painted (the paper does not state one; 0.5 as EvaluateInstances' F1).")] double ScoreThreshold = CellSeg.Metrics.Coco.InstancesToSemantic.DefaultScoreThreshold,
        [property: Port("At most this many detections painted per image, highest scores first: LIVECell's largest maxDets, the cut EvaluateInstances' F1 applies with the livecell preset, so the two F1s of one results file agree.")] int MaxDetections = CellSeg.Metrics.Coco.InstancesToSemantic.DefaultMaxDetections);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("One PNG per image (0 background, 255 cell), named after the image.")] IReadOnlyList<ArtifactRef> Masks,
        [property: Port("Detections painted, all images together.")] int Instances);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var truth = await CocoReader.LoadAsync(context.Artifacts.GetPath(input.Annotations), cancellationToken: ct).ConfigureAwait(false);
        var folder = Path.Combine(context.WorkFolder, "masks");
        if (input.MaxDetections < 1)
        {
            throw new ActivityInputException("maxDetections", $"must be at least 1, not {input.MaxDetections}");
        }

        var written = await CellSeg.Metrics.Coco.InstancesToSemantic.ConvertAsync(
            context.Artifacts.GetPath(input.Predictions), truth, folder, input.ScoreThreshold, input.MaxDetections, ct).ConfigureAwait(false);
        var masks = new List<ArtifactRef>(written.Count);
        foreach (var file in written)
        {
            masks.Add(await context.Artifacts.PutFileAsync(file.MaskPath, Path.GetFileName(file.MaskPath), ct).ConfigureAwait(false));
            context.Progress.Report(new StepProgress((double)masks.Count / written.Count, file.ImageFileName));
        }

        var instances = written.Sum(w => w.Instances);
        context.ReportMetric("instances", instances, null);
        return new Output(masks, instances);
    }
}
