using System.Globalization;
using System.Text.Json.Nodes;
using CellSeg.Models.Data;
using CellSeg.Models.Networks;
using CellSeg.Models.Training;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Activities.Training;

/// <summary>Trains one network of the U-Net family (one branch of the paper's grid: model variant × dataset variant × cell type).</summary>
[Activity("TrainUNet", Category = "Training", Queue = "gpu", OverridesInput = "branch", Description = "Trains a U-Net, deep U-Net or deep U-Net ensemble (TorchSharp) on real images, optionally extended with synthetic sets; BCE + Dice, validation Dice per epoch, early stopping, checkpoints every N steps (a restarted step resumes from the last one).")]
public sealed class TrainUNet : Activity<TrainUNet.Input, TrainUNet.Output>
{
    /// <summary>Inputs. <see cref="Branch"/>'s fields override the others (the engine merges them), so one mapped node can train a grid of variants.</summary>
    public sealed record Input(
        [property: Port("COCO ground truth of the training images.")] ArtifactRef Annotations,
        [property: Port("The training images, named as in the annotations.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("Synthetic sets' COCO files (e.g. GenerateSynthetic's, one per density), added to training when 'synthetic' is true.")] IReadOnlyList<ArtifactRef>? SyntheticAnnotations = null,
        [property: Port("Their images: a list, or one list per set (a mapped node's output).")] JsonNode? SyntheticImages = null,
        [property: Port("COCO ground truth of validation images (Dice after every epoch, early stopping); none: no validation.")] ArtifactRef? ValidationAnnotations = null,
        [property: Port("The validation images.")] IReadOnlyList<ArtifactRef>? ValidationImages = null,
        [property: Port("Start from this model's weights instead of random ones (a warm start, e.g. ResolveModel's warmStartModel: the champion); it must be the network trained here (variant and shape). Also model://NAME.")] ArtifactRef? InitialModel = null,
        [property: Port("A branch of a grid: an object whose fields override these inputs of the node")] JsonObject? Branch = null,
        [property: Port("The branch's name in reports (default: variant, plus '+synthetic').")] string Name = "",
        [property: Port("unet, deep-unet or deep-unet-ensemble.", FormerNames = ["variant"])] string Architecture = "unet",
        [property: Port("Channels of the first level (the paper: 64).")] int BaseChannels = 64,
        [property: Port("Down/up levels of the U-Net (the paper: 4; the deep variants add theirs below).")] int Depth = 4,
        [property: Port("Bilinear upsampling instead of transposed convolutions.")] bool Bilinear = false,
        [property: Port("Add the synthetic sets to the training images.")] bool Synthetic = false,
        [property: Port("Share of training crops drawn from the synthetic images (0..1; the rest from the real ones); none: every image equally likely, so the share is the synthetic share of the images (e.g. 56 synthetic beside 15 real: 79 %).")] double? SyntheticFraction = null,
        [property: Port("Density curriculum, sparse to dense: over this share of the iterations (0..1) synthetic crops come only from the sparsest synthetic images (by cell coverage), widening to all of them; 0: off.")] double DensityCurriculum = 0,
        [property: Port("Train on these cell types only (single-cell-type training); empty: all.")] IReadOnlyList<string>? CellTypes = null,
        [property: Port("Epochs.")] int Epochs = 5,
        [property: Port("Iterations per epoch; 0: one pass over the images (at least one iteration).", FormerNames = ["stepsPerEpoch"])] int IterationsPerEpoch = 0,
        [property: Port("Crops per step (the paper: 10).")] int BatchSize = 10,
        [property: Port("Side of the square training crops.")] int CropSize = 256,
        [property: Port("Learning rate (very small for the deep variants in the paper).")] double LearningRate = 1e-5,
        [property: Port("rmsprop (milesial's harness), adam or sgd.")] string Optimizer = "rmsprop",
        [property: Port("Epochs without a better validation Dice before training stops.")] int EarlyStoppingPatience = 5,
        [property: Port("Iterations between checkpoints.")] int CheckpointEvery = 100,
        [property: Port("Seed of the weights and the crops.")] int Seed = 1,
        [property: Port("Torch threads; 0: all processors.")] int Threads = 0);

    /// <summary>Outputs.</summary>
    public sealed record Output(
        [property: Port("The trained model (cellseg-model file: architecture header + weights).")] ArtifactRef Model,
        [property: Port("The branch's name.")] string Name,
        [property: Port("Best validation F1 (= Dice; 0 without validation).", FormerNames = ["bestDice"])] double BestF1,
        [property: Port("Training iterations done.", FormerNames = ["steps"])] long Iterations,
        [property: Port("Every epoch's loss, validation Dice and learning rate (CSV).")] ArtifactRef History);

    /// <inheritdoc />
    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        var ct = context.CancellationToken;
        var name = string.IsNullOrWhiteSpace(input.Name) ? input.Architecture + (input.Synthetic ? "+synthetic" : string.Empty) : input.Name;
        var filter = new SegmentationDatasetOptions { CellTypes = input.CellTypes is { Count: > 0 } types ? types : null };
        context.Progress.Report(new StepProgress(0, "loading images"));
        var train = await LoadAsync(input.Annotations, input.Images, "train", filter, context).ConfigureAwait(false);
        SegmentationDataset? synthetic = null;
        if (input.Synthetic)
        {
            var images = ArtifactFolders.Flatten(input.SyntheticImages).ToList();
            var sets = TrainingInputs.SyntheticSets(name, input.SyntheticAnnotations);
            for (var i = 0; i < sets.Count; i++)
            {
                var set = await LoadAsync(sets[i], images, $"synthetic{i}", filter, context).ConfigureAwait(false);
                synthetic = new SegmentationDataset([.. synthetic?.Samples ?? [], .. set.Samples]);
            }
        }
        else if (input.SyntheticFraction is > 0 || input.DensityCurriculum > 0)
        {
            throw new ActivityInputException(input.SyntheticFraction is > 0 ? "syntheticFraction" : "densityCurriculum", $"branch '{name}': mixing synthetic crops needs 'synthetic': true and synthetic sets");
        }

        var validation = input.ValidationAnnotations is { } va && input.ValidationImages is { } vi
            ? await LoadAsync(va, vi, "validation", filter, context).ConfigureAwait(false)
            : null;
        if (train.Count + (synthetic?.Count ?? 0) == 0)
        {
            throw new ActivityInputException("cellTypes", $"branch '{name}': no training image is left (cell types {string.Join(", ", input.CellTypes ?? [])})");
        }

        var modelPath = Path.Combine(context.WorkFolder, "model.cellseg");
        var steps = input.IterationsPerEpoch > 0 ? input.IterationsPerEpoch : Math.Max(1, (int)Math.Ceiling((train.Count + (synthetic?.Count ?? 0)) / (double)input.BatchSize));
        var options = new TrainOptions
        {
            Train = train, Synthetic = synthetic, Validation = validation,
            Mixing = new SyntheticMixing { SyntheticFraction = input.SyntheticFraction, DensityCurriculum = input.DensityCurriculum }, Variant = input.Architecture,
            Shape = new UNetOptions { BaseChannels = input.BaseChannels, Depth = input.Depth, Bilinear = input.Bilinear },
            Augmentation = new AugmentationOptions { CropSize = input.CropSize },
            BatchSize = input.BatchSize, Epochs = input.Epochs, StepsPerEpoch = steps, Optimizer = input.Optimizer, LearningRate = input.LearningRate,
            EarlyStoppingPatience = input.EarlyStoppingPatience, Seed = input.Seed, Device = context.Device, Threads = input.Threads > 0 ? input.Threads : null,
            CheckpointFolder = Path.Combine(context.WorkFolder, "checkpoints"), CheckpointEvery = input.CheckpointEvery, Resume = true, OutputModelPath = modelPath,
            InitialModelPath = input.InitialModel is { } initial ? context.Artifacts.GetPath(initial) : null,
        };
        ActivityInputs.Check(null, options.Validate);   // a bad setting is the user's mistake, not a fault to retry
        var result = await UNetTrainer.TrainAsync(options, new CellSeg.Data.SyncProgress<TrainProgress>(p => Report(p, context)), ct).ConfigureAwait(false);

        var history = Path.Combine(context.WorkFolder, "history.csv");
        await TrainHistoryCsv.WriteAsync(result.History, history, ct).ConfigureAwait(false);
        return new Output(
            await context.Artifacts.PutFileAsync(modelPath, $"{ArtifactFolders.SafeName(name)}.cellseg", ct).ConfigureAwait(false),
            name, result.BestValidationDice ?? 0, result.Steps,
            await context.Artifacts.PutFileAsync(history, $"{ArtifactFolders.SafeName(name)}-history.csv", ct).ConfigureAwait(false));
    }

    private static async Task<SegmentationDataset> LoadAsync(ArtifactRef annotations, IEnumerable<ArtifactRef> images, string part, SegmentationDatasetOptions filter, ActivityContext context)
    {
        var folder = ArtifactFolders.Stage(images, context.Artifacts, Path.Combine(context.WorkFolder, "images-" + part));
        return await SegmentationDataset.LoadAsync(context.Artifacts.GetPath(annotations), folder, filter, cancellationToken: context.CancellationToken).ConfigureAwait(false);
    }

    private static void Report(TrainProgress p, ActivityContext context)
    {
        var prefix = p.Member is null ? string.Empty : p.Member + "/";
        switch (p.Event)
        {
            case TrainEvent.Step:
                context.Progress.Report(new StepProgress(p.TotalSteps > 0 ? (double)p.Step / p.TotalSteps : null,
                    string.Create(CultureInfo.InvariantCulture, $"{prefix}iteration {p.Step}/{p.TotalSteps} loss {p.Loss:0.0000} {p.ImagesPerSecond:0.0} img/s")));
                context.ReportMetric(prefix + "loss", p.Loss, p.Step);
                break;
            case TrainEvent.Epoch:
                if (p.ValidationDice is { } dice)
                {
                    context.ReportMetric(prefix + "validationF1", dice, p.Step);
                }

                context.ReportMetric(prefix + "imagesPerSecond", p.ImagesPerSecond, p.Step);
                context.ReportMetric(prefix + "learningRate", p.LearningRate, p.Step);
                break;
            case TrainEvent.Resumed:
                context.Progress.Report(new StepProgress(p.TotalSteps > 0 ? (double)p.Step / p.TotalSteps : null, $"{prefix}resumed at iteration {p.Step}"));
                break;
            default:
                break;
        }
    }
}
