using CellSeg.Models.CenterMask;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Evaluation;

/// <summary>Runs a trained CenterMask model over a split and writes its COCO results file (compressed RLE masks with scores).</summary>
[Activity("PredictInstances", Category = "Evaluation", Queue = "gpu", Description = "Instance segmentation of every image of a split with a CenterMask model: FCOS detections, NMS, SAG-Mask masks pasted at 0.5, score = detection score × predicted mask IoU; one COCO results file.")]
public sealed class PredictInstances : Activity<PredictInstances.Input, PredictInstances.Output>
{
    /// <summary>Inputs. The inference settings default to those stored with the model.</summary>
    public sealed record Input(
        [property: Port("The CenterMask model (FinetuneCenterMask's output).")] ArtifactRef Model,
        [property: Port("COCO file of the split: image ids, file names and sizes (its annotations are not used).")] ArtifactRef Annotations,
        [property: Port("The split's images, named as in the annotations.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("Minimum class probability of a candidate (default: the model's, 0.05).")] double? ScoreThreshold = null,
        [property: Port("Candidates per pyramid level before NMS (default: the model's).")] int? PreNmsTopK = null,
        [property: Port("Detections per image after NMS (default: the model's).")] int? PostNmsTopK = null,
        [property: Port("Short side the images are resized to (default: the model's; 0 keeps the size).")] int? TestSize = null,
        [property: Port("Name of the results file (default: the model's file name).")] string Name = "",
        [property: Port("Torch threads; 0: all processors.")] int Threads = 0);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("COCO results: one record per detected cell (segmentation as compressed RLE, score, bbox).")] ArtifactRef Predictions,
        [property: Port("Images predicted.")] int Images,
        [property: Port("Cells detected, all images together.")] int Detections);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var folder = ArtifactFolders.Stage(input.Images, context.Artifacts, Path.Combine(context.WorkFolder, "images"));
        var name = string.IsNullOrWhiteSpace(input.Name) ? Path.GetFileNameWithoutExtension(input.Model.Name) : input.Name;
        var output = Path.Combine(context.WorkFolder, "predictions.json");
        var result = await CenterMaskPredictor.PredictAsync(
            new CenterMaskPredictOptions
            {
                ModelPath = context.Artifacts.GetPath(input.Model), ImagesFolder = folder, Annotations = context.Artifacts.GetPath(input.Annotations),
                OutputPath = output, ScoreThreshold = (float?)input.ScoreThreshold, PreNmsTopK = input.PreNmsTopK, PostNmsTopK = input.PostNmsTopK,
                TestSize = input.TestSize, Device = context.Device, Threads = input.Threads > 0 ? input.Threads : null,
            },
            new CellSeg.Data.SyncProgress<CenterMaskPredictProgress>(p => context.Progress.Report(new StepProgress((double)p.Done / p.Total, $"{name}: {p.FileName} ({p.Detections} cells)"))),
            ct).ConfigureAwait(false);
        context.ReportMetric("detections", result.Detections, null);
        context.ReportMetric("detectionsPerImage", result.Images > 0 ? (double)result.Detections / result.Images : 0, null);
        return new Output(await context.Artifacts.PutFileAsync(output, $"{name}-predictions.json", ct).ConfigureAwait(false), result.Images, result.Detections);
    }
}
