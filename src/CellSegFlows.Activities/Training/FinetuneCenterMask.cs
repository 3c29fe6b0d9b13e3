using System.Globalization;
using System.Text.Json.Nodes;
using CellSeg.Models.CenterMask;
using CellSeg.Models.Training;
using CellSegFlows.Engine.Activities;
using Microsoft.Extensions.Logging;

namespace CellSegFlows.Activities.Training;

/// <summary>Finetunes CenterMask (one branch of the paper's Tables 3–4: data variant × cell type) with SGD and a warm-up + step schedule.</summary>
[Activity("FinetuneCenterMask", Category = "Training", Queue = "gpu", OverridesInput = "branch", Description = "Finetunes CenterMask (V-19-slim-DW-eSE Lite, or the LIVECell authors' V-99) on real images, optionally extended with synthetic sets: SGD with momentum, linear warm-up then ×gamma steps, optional pretrained centermask2 weights, checkpoints every N iterations (a restarted step resumes from the last one), loss components and LR as step metrics.")]
public sealed class FinetuneCenterMask : Activity<FinetuneCenterMask.Input, FinetuneCenterMask.Output>
{
    /// <summary>Inputs. <see cref="Branch"/>'s fields override the others (the engine merges them), so one mapped node can finetune a grid.</summary>
    public sealed record Input(
        [property: Port("COCO ground truth (polygons) of the training images.")] ArtifactRef Annotations,
        [property: Port("The training images, named as in the annotations.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("Synthetic sets' COCO files (GenerateSynthetic's, one per density), added when 'synthetic' is true.")] IReadOnlyList<ArtifactRef>? SyntheticAnnotations = null,
        [property: Port("Their images: a list, or one list per set (a mapped node's output).")] JsonNode? SyntheticImages = null,
        [property: Port("A branch of a grid: an object whose fields override these inputs of the node")] JsonObject? Branch = null,
        [property: Port("The branch's name in reports (default: the architecture, plus '+synthetic').")] string Name = "",
        [property: Port("lite-v19-slim-dw (the paper's CenterMask-Lite V-19-slim-DW-eSE) or livecell-v99 (the LIVECell authors' V-99-eSE, e.g. to evaluate their released model).")] string Architecture = "lite-v19-slim-dw",
        [property: Port("Add the synthetic sets to the training images.")] bool Synthetic = false,
        [property: Port("Train on these cell types only; empty: all.")] IReadOnlyList<string>? CellTypes = null,
        [property: Port("paper (batch 8, LR 0.005, 12,500 iterations, warm-up 1,000, milestones 10,500/11,500) or livecell-authors (batch 16, LR 0.01, 100,000 iterations, milestones 80,000/90,000); the fields below override it.")] string Schedule = "paper",
        [property: Port("Images per iteration (default: the schedule's).")] int? BatchSize = null,
        [property: Port("Base learning rate (default: the schedule's).")] double? BaseLearningRate = null,
        [property: Port("Iterations (default: the schedule's); 0 trains nothing and exports the pretrained weights as a model (an oracle's evaluation).")] int? MaxIterations = null,
        [property: Port("Linear warm-up iterations (default: the schedule's).")] int? WarmupIterations = null,
        [property: Port("Warm-up start factor (default 0.001).")] double? WarmupFactor = null,
        [property: Port("Milestones: iterations at which the LR is multiplied by gamma (default: the schedule's).", FormerNames = ["steps"])] IReadOnlyList<int>? Milestones = null,
        [property: Port("LR factor at each milestone (default 0.1).")] double? Gamma = null,
        [property: Port("A local PyTorch checkpoint with centermask2's names (COCO CenterMask-Lite, an ImageNet VoVNet, or the LIVECell authors' model; see README): loaded leniently, what is missing or mis-shaped is reported.", Kind = PortKind.FileToRead)] string PretrainedWeights = "",
        [property: Port("Clip the gradient norm to this (0: no clipping, detectron2's default; not needed from scratch either).")] double GradientClipNorm = 0,
        [property: Port("Short sides drawn for each training image (default: the architecture's, e.g. 580 and 600 for Lite; [0] keeps the image size).")] IReadOnlyList<int>? TrainSizes = null,
        [property: Port("Short side at inference, stored with the model (default: the architecture's; 0 keeps the image size).")] int? TestSize = null,
        [property: Port("Candidates per level before NMS at inference, stored with the model (LIVECell: 4,000; PredictInstances' preNmsTopK overrides it).", FormerNames = ["preNmsTopKTest"])] int PreNmsTopK = 4000,
        [property: Port("Detections per image after NMS at inference, stored with the model (LIVECell: 3,000; PredictInstances' postNmsTopK overrides it).", FormerNames = ["postNmsTopKTest"])] int PostNmsTopK = 3000,
        [property: Port("Iterations between checkpoints.")] int CheckpointEvery = 500,
        [property: Port("Seed of the weights, the batches, the augmentation and the RoI sampling.")] int Seed = 1,
        [property: Port("Torch threads; 0: all processors.")] int Threads = 0);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The trained model (CenterMask model file: config + weights).")] ArtifactRef Model,
        [property: Port("The branch's name.")] string Name,
        [property: Port("Iterations done.")] long Iterations,
        [property: Port("The last iteration's total loss (null when no iteration ran in this attempt).")] double? FinalLoss,
        [property: Port("Loss components and LR every iteration (CSV).")] ArtifactRef History);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var name = string.IsNullOrWhiteSpace(input.Name) ? input.Architecture + (input.Synthetic ? "+synthetic" : string.Empty) : input.Name;
        var sets = new List<CocoImageSet>
        {
            new(context.Artifacts.GetPath(input.Annotations), ArtifactFolders.Stage(input.Images, context.Artifacts, Path.Combine(context.WorkFolder, "images-train"))),
        };
        if (input.Synthetic)
        {
            var annotations = TrainingInputs.SyntheticSets(name, input.SyntheticAnnotations);
            var folder = ArtifactFolders.Stage(ArtifactFolders.Flatten(input.SyntheticImages), context.Artifacts, Path.Combine(context.WorkFolder, "images-synthetic"));
            sets.AddRange(annotations.Select(a => new CocoImageSet(context.Artifacts.GetPath(a), folder)));
        }

        // The engine checked the path against the data roots (a branch's value too); whether the file is there is the user's to fix.
        var pretrained = string.IsNullOrWhiteSpace(input.PretrainedWeights) ? null
            : File.Exists(input.PretrainedWeights) ? input.PretrainedWeights
            : throw new ActivityInputException("pretrainedWeights", $"branch '{name}': pretrainedWeights file not found: {input.PretrainedWeights}");

        var config = ActivityInputs.Check("architecture", () => CenterMaskArchitectures.Get(input.Architecture)).WithInputSizes(input.TrainSizes, input.TestSize) with
        {
            PreNmsTopK = input.PreNmsTopK,
            PostNmsTopK = input.PostNmsTopK,
        };
        var modelPath = Path.Combine(context.WorkFolder, "model.centermask");
        var historyPath = Path.Combine(context.WorkFolder, "history.csv");
        var history = new CenterMaskHistoryCsv();
        if (input.MaxIterations == 0)
        {
            // No training: the given checkpoint becomes the model (e.g. the LIVECell authors' V-99, the paper's oracle).
            ReportLoad(CenterMaskPretrained.Export(config, pretrained ?? throw new ActivityInputException("pretrainedWeights", $"branch '{name}': maxIterations 0 exports pretrained weights as the model, but no pretrainedWeights were given"), modelPath), context);
            await history.WriteAsync(historyPath, ct).ConfigureAwait(false);
            return await OutputAsync(modelPath, name, 0, null, historyPath, context).ConfigureAwait(false);
        }

        var schedule = ActivityInputs.Check("schedule", () => WarmupMultiStepSchedule.Preset(input.Schedule)
            .With(input.BatchSize, input.BaseLearningRate, input.MaxIterations, input.WarmupIterations, input.WarmupFactor, input.Milestones, input.Gamma).Validate());
        var options = new CenterMaskTrainOptions
        {
            Train = sets[0], ExtraSets = sets.Skip(1).ToList(), CellTypes = input.CellTypes is { Count: > 0 } types ? types : null,
            Model = config, Schedule = schedule, GradientClipNorm = input.GradientClipNorm > 0 ? input.GradientClipNorm : null,
            PretrainedWeights = pretrained, CheckpointFolder = Path.Combine(context.WorkFolder, "checkpoints"), CheckpointEvery = input.CheckpointEvery,
            Resume = true, OutputModelPath = modelPath, Seed = input.Seed, Device = context.Device, Threads = input.Threads > 0 ? input.Threads : null,
        };
        ActivityInputs.Check(null, options.Validate);   // a bad setting is the user's mistake, not a fault to retry
        var result = await CenterMaskTrainer.TrainAsync(options, new CellSeg.Data.SyncProgress<CenterMaskTrainProgress>(p => Report(p, name, history, context)), ct).ConfigureAwait(false);
        if (result.Pretrained is { } report)
        {
            ReportLoad(report, context);
        }

        await history.WriteAsync(historyPath, ct).ConfigureAwait(false);
        double? finalLoss = result.LastLosses.Count > 0 ? result.LastLosses.Values.Sum() : null;
        return await OutputAsync(modelPath, name, result.Iterations, finalLoss, historyPath, context).ConfigureAwait(false);
    }

    private static async Task<Output> OutputAsync(string modelPath, string name, long iterations, double? finalLoss, string historyPath, ActivityContext context) => new(
        await context.Artifacts.PutFileAsync(modelPath, $"{ArtifactFolders.SafeName(name)}.centermask", context.CancellationToken).ConfigureAwait(false),
        name, iterations, finalLoss,
        await context.Artifacts.PutFileAsync(historyPath, $"{ArtifactFolders.SafeName(name)}-history.csv", context.CancellationToken).ConfigureAwait(false));

    private static void ReportLoad(CellSeg.Models.Weights.WeightLoadReport report, ActivityContext context)
    {
        context.ReportMetric("pretrained/loaded", report.Loaded.Count, null);
        context.ReportMetric("pretrained/missing", report.Missing.Count, null);
        context.ReportMetric("pretrained/unexpected", report.Unexpected.Count, null);
        context.ReportMetric("pretrained/shapeMismatched", report.Mismatched.Count, null);
        if (!report.IsExact)
        {
            context.Logger.LogWarning("Pretrained weights {File}: {Report}", report.FilePath, report.Describe());
        }
    }

    private static void Report(CenterMaskTrainProgress p, string name, CenterMaskHistoryCsv history, ActivityContext context)
    {
        double? fraction = p.MaxIterations > 0 ? (double)p.Iteration / p.MaxIterations : null;
        switch (p.Event)
        {
            case CenterMaskTrainEvent.Iteration:
                context.Progress.Report(new StepProgress(fraction,
                    string.Create(CultureInfo.InvariantCulture, $"{name}: iteration {p.Iteration}/{p.MaxIterations} loss {p.TotalLoss:0.0000} lr {p.LearningRate:0.######} {p.ImagesPerSecond:0.00} img/s")));
                context.ReportMetric("loss", p.TotalLoss, p.Iteration);
                foreach (var (key, value) in p.Losses)
                {
                    context.ReportMetric(key, value, p.Iteration);
                }

                context.ReportMetric("learningRate", p.LearningRate, p.Iteration);
                history.Add(p);
                break;
            case CenterMaskTrainEvent.Resumed:
                context.Progress.Report(new StepProgress(fraction, $"{name}: resumed at iteration {p.Iteration}"));
                break;
            case CenterMaskTrainEvent.Checkpoint:
                context.Progress.Report(new StepProgress(fraction, $"{name}: checkpoint at iteration {p.Iteration}"));
                break;
            default:
                break;
        }
    }
}
