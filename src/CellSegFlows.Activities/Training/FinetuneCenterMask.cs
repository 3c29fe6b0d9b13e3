using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CellSeg.Models.CenterMask;
using CellSeg.Models.Training;
using CellSegFlows.Engine.Access;
using CellSegFlows.Engine.Activities;
using Microsoft.Extensions.Logging;

namespace CellSegFlows.Activities.Training;

/// <summary>Finetunes CenterMask (one branch of the paper's Tables 3–4: data variant × cell type) with SGD and a warm-up + step schedule.</summary>
[Activity("FinetuneCenterMask", Category = "Training", Queue = "gpu", Description = "Finetunes CenterMask (V-19-slim-DW-eSE Lite, or the LIVECell authors' V-99) on real images, optionally extended with synthetic sets: SGD with momentum, linear warm-up then ×gamma steps, optional pretrained centermask2 weights, checkpoints every N iterations (a restarted step resumes from the last one), loss components and LR as step metrics.")]
public sealed class FinetuneCenterMask : Activity<FinetuneCenterMask.Input, FinetuneCenterMask.Output>
{
    /// <summary>The fields a branch object may override.</summary>
    public static IReadOnlySet<string> BranchFieldNames { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "architecture", "synthetic", "cellTypes", "schedule", "batchSize", "baseLearningRate", "maxIterations", "warmupIterations",
        "warmupFactor", "steps", "gamma", "pretrainedWeights", "gradientClipNorm", "seed",
    };

    /// <summary>Inputs. <see cref="Branch"/> overrides any of <see cref="BranchFieldNames"/>, so one mapped node can finetune a grid.</summary>
    public sealed record Input(
        [property: Port("COCO ground truth (polygons) of the training images.")] ArtifactRef Annotations,
        [property: Port("The training images, named as in the annotations.")] IReadOnlyList<ArtifactRef> Images,
        [property: Port("Synthetic sets' COCO files (GenerateSynthetic's, one per density), added when 'synthetic' is true.")] IReadOnlyList<ArtifactRef>? SyntheticAnnotations = null,
        [property: Port("Their images: a list, or one list per set (a mapped node's output).")] JsonNode? SyntheticImages = null,
        [property: Port("A branch of a grid: an object whose fields override the inputs below (name, architecture, synthetic, cellTypes, schedule, batchSize, baseLearningRate, maxIterations, warmupIterations, warmupFactor, steps, gamma, pretrainedWeights, gradientClipNorm, seed).")] JsonObject? Branch = null,
        [property: Port("The branch's name in reports (default: the architecture, plus '+synthetic').")] string Name = "",
        [property: Port("lite-v19-slim-dw (the paper's CenterMask-Lite V-19-slim-DW-eSE) or livecell-v99 (the LIVECell authors' V-99-eSE, e.g. to evaluate their released model).")] string Architecture = "lite-v19-slim-dw",
        [property: Port("Add the synthetic sets to the training images.")] bool Synthetic = false,
        [property: Port("Train on these cell lines only; empty: all.")] IReadOnlyList<string>? CellTypes = null,
        [property: Port("paper (batch 8, LR 0.005, 12,500 iterations, warm-up 1,000, steps 10,500/11,500) or livecell-authors (batch 16, LR 0.01, 100,000 iterations, steps 80,000/90,000); the fields below override it.")] string Schedule = "paper",
        [property: Port("Images per iteration (default: the schedule's).")] int? BatchSize = null,
        [property: Port("Base learning rate (default: the schedule's).")] double? BaseLearningRate = null,
        [property: Port("Iterations (default: the schedule's); 0 trains nothing and exports the pretrained weights as a model (an oracle's evaluation).")] int? MaxIterations = null,
        [property: Port("Linear warm-up iterations (default: the schedule's).")] int? WarmupIterations = null,
        [property: Port("Warm-up start factor (default 0.001).")] double? WarmupFactor = null,
        [property: Port("Iterations at which the LR is multiplied by gamma (default: the schedule's).")] IReadOnlyList<int>? Steps = null,
        [property: Port("LR factor at each step (default 0.1).")] double? Gamma = null,
        [property: Port("A local PyTorch checkpoint with centermask2's names (COCO CenterMask-Lite, an ImageNet VoVNet, or the LIVECell authors' model; see README): loaded leniently, what is missing or mis-shaped is reported.", Kind = PortKind.FileToRead)] string PretrainedWeights = "",
        [property: Port("Clip the gradient norm to this (0: no clipping, detectron2's default; from scratch, ~10 keeps the MaskIoU head stable).")] double GradientClipNorm = 0,
        [property: Port("Short sides drawn for each training image (default: the architecture's, e.g. 580 and 600 for Lite; [0] keeps the image size).")] IReadOnlyList<int>? TrainSizes = null,
        [property: Port("Short side at inference, stored with the model (default: the architecture's; 0 keeps the image size).")] int? TestSize = null,
        [property: Port("Candidates per level before NMS at inference, stored with the model (LIVECell: 4,000).")] int PreNmsTopKTest = 4000,
        [property: Port("Detections per image after NMS at inference, stored with the model (LIVECell: 3,000).")] int PostNmsTopKTest = 3000,
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
        var s = Apply(input, input.Branch);
        var name = string.IsNullOrWhiteSpace(s.Name) ? s.Architecture + (s.Synthetic ? "+synthetic" : string.Empty) : s.Name;
        var sets = new List<CocoImageSet>
        {
            new(context.Artifacts.GetPath(s.Annotations), ArtifactFolders.Stage(s.Images, context.Artifacts, Path.Combine(context.WorkFolder, "images-train"))),
        };
        if (s.Synthetic)
        {
            var annotations = s.SyntheticAnnotations ?? [];
            if (annotations.Count == 0)
            {
                throw new ArgumentException($"branch '{name}' asks for synthetic data but no syntheticAnnotations were given");
            }

            var folder = ArtifactFolders.Stage(ArtifactFolders.Flatten(s.SyntheticImages), context.Artifacts, Path.Combine(context.WorkFolder, "images-synthetic"));
            sets.AddRange(annotations.Select(a => new CocoImageSet(context.Artifacts.GetPath(a), folder)));
        }

        // Checked here, not only by the engine: a branch object can replace the input's value.
        var pretrained = string.IsNullOrWhiteSpace(s.PretrainedWeights) ? null : context.HostAccess.ResolvePath(s.PretrainedWeights, HostPathUse.Read, "pretrainedWeights");
        if (pretrained is not null && !File.Exists(pretrained))
        {
            throw new ArgumentException($"branch '{name}': pretrainedWeights file not found: {pretrained}");
        }

        var architecture = Architecture(s.Architecture);
        var config = architecture with
        {
            PreNmsTopKTest = s.PreNmsTopKTest,
            PostNmsTopKTest = s.PostNmsTopKTest,
            Input = architecture.Input with
            {
                MinSizeTrain = s.TrainSizes is { Count: > 0 } sizes ? sizes : architecture.Input.MinSizeTrain,
                MinSizeTest = s.TestSize ?? architecture.Input.MinSizeTest,
            },
        };
        var modelPath = Path.Combine(context.WorkFolder, "model.centermask");
        var historyPath = Path.Combine(context.WorkFolder, "history.csv");
        if (s.MaxIterations == 0)
        {
            // No training: the given checkpoint becomes the model (e.g. the LIVECell authors' V-99, the paper's oracle).
            var exported = CenterMaskPretrained.Export(config, pretrained ?? throw new ArgumentException($"branch '{name}': maxIterations 0 exports pretrained weights as the model, but no pretrainedWeights were given"), modelPath);
            ReportLoad(exported, context);
            await File.WriteAllTextAsync(historyPath, HistoryHeader, ct).ConfigureAwait(false);
            return new Output(
                await context.Artifacts.PutFileAsync(modelPath, $"{ArtifactFolders.SafeName(name)}.centermask", ct).ConfigureAwait(false), name, 0, null,
                await context.Artifacts.PutFileAsync(historyPath, $"{ArtifactFolders.SafeName(name)}-history.csv", ct).ConfigureAwait(false));
        }

        var schedule = Schedule(s);
        var history = new StringBuilder(HistoryHeader);
        var result = await CenterMaskTrainer.TrainAsync(
            new CenterMaskTrainOptions
            {
                Train = sets[0], ExtraSets = sets.Skip(1).ToList(), CellTypes = s.CellTypes is { Count: > 0 } types ? types : null,
                Model = config, Schedule = schedule, GradientClipNorm = s.GradientClipNorm > 0 ? s.GradientClipNorm : null,
                PretrainedWeights = pretrained, CheckpointFolder = Path.Combine(context.WorkFolder, "checkpoints"), CheckpointEvery = s.CheckpointEvery,
                Resume = true, OutputModelPath = modelPath, Seed = s.Seed, Device = context.Device, Threads = s.Threads > 0 ? s.Threads : null,
            },
            new CellSeg.Data.SyncProgress<CenterMaskTrainProgress>(p => Report(p, name, history, context)),
            ct).ConfigureAwait(false);

        if (result.Pretrained is { } report)
        {
            ReportLoad(report, context);
        }

        await File.WriteAllTextAsync(historyPath, history.ToString(), ct).ConfigureAwait(false);
        double? finalLoss = result.LastLosses.Count > 0 ? result.LastLosses.Values.Sum() : null;
        return new Output(
            await context.Artifacts.PutFileAsync(modelPath, $"{ArtifactFolders.SafeName(name)}.centermask", ct).ConfigureAwait(false),
            name, result.Iterations, finalLoss,
            await context.Artifacts.PutFileAsync(historyPath, $"{ArtifactFolders.SafeName(name)}-history.csv", ct).ConfigureAwait(false));
    }

    private static string HistoryHeader { get; } = "iteration,learning_rate,total_loss," + string.Join(',', CenterMaskLosses.Names) + ",images_per_second\n";

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

    /// <summary>The network of an architecture name.</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static CenterMaskConfig Architecture(string name) => name switch
    {
        "lite-v19-slim-dw" => new CenterMaskConfig(),
        "livecell-v99" => CenterMaskConfig.LivecellV99,
        _ => throw new ArgumentException($"architecture '{name}' is not one of lite-v19-slim-dw, livecell-v99"),
    };

    private static WarmupMultiStepSchedule Schedule(Input s)
    {
        var preset = s.Schedule switch
        {
            "paper" => WarmupMultiStepSchedule.Paper,
            "livecell-authors" => WarmupMultiStepSchedule.LivecellAuthors,
            _ => throw new ArgumentException($"schedule '{s.Schedule}' is not one of paper, livecell-authors"),
        };
        return (preset with
        {
            BatchSize = s.BatchSize ?? preset.BatchSize,
            BaseLearningRate = s.BaseLearningRate ?? preset.BaseLearningRate,
            MaxIterations = s.MaxIterations ?? preset.MaxIterations,
            WarmupIterations = s.WarmupIterations ?? preset.WarmupIterations,
            WarmupFactor = s.WarmupFactor ?? preset.WarmupFactor,
            Steps = s.Steps ?? preset.Steps,
            Gamma = s.Gamma ?? preset.Gamma,
        }).Validate();
    }

    private static void Report(CenterMaskTrainProgress p, string name, StringBuilder history, ActivityContext context)
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
                history.Append(CultureInfo.InvariantCulture, $"{p.Iteration},{p.LearningRate:R},{p.TotalLoss:R}");
                foreach (var key in CenterMaskLosses.Names)
                {
                    history.Append(CultureInfo.InvariantCulture, $",{(p.Losses.TryGetValue(key, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty)}");
                }

                history.Append(CultureInfo.InvariantCulture, $",{p.ImagesPerSecond:R}\n");
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

    private static Input Apply(Input input, JsonObject? branch)
    {
        if (branch is null)
        {
            return input;
        }

        var fields = BranchFields.Of(branch, BranchFieldNames);
        T Get<T>(string key, T fallback) => fields.Get(key, fallback);
        IReadOnlyList<T>? List<T>(string key, IReadOnlyList<T>? fallback) => fields.List(key, fallback);

        return input with
        {
            Name = Get("name", input.Name),
            Architecture = Get("architecture", input.Architecture),
            Synthetic = Get("synthetic", input.Synthetic),
            CellTypes = List("cellTypes", input.CellTypes),
            Schedule = Get("schedule", input.Schedule),
            BatchSize = fields.Has("batchSize") ? Get<int>("batchSize", 0) : input.BatchSize,
            BaseLearningRate = fields.Has("baseLearningRate") ? Get<double>("baseLearningRate", 0) : input.BaseLearningRate,
            MaxIterations = fields.Has("maxIterations") ? Get<int>("maxIterations", 0) : input.MaxIterations,
            WarmupIterations = fields.Has("warmupIterations") ? Get<int>("warmupIterations", 0) : input.WarmupIterations,
            WarmupFactor = fields.Has("warmupFactor") ? Get<double>("warmupFactor", 0) : input.WarmupFactor,
            Steps = List("steps", input.Steps),
            Gamma = fields.Has("gamma") ? Get<double>("gamma", 0) : input.Gamma,
            PretrainedWeights = Get("pretrainedWeights", input.PretrainedWeights),
            GradientClipNorm = Get("gradientClipNorm", input.GradientClipNorm),
            Seed = Get("seed", input.Seed),
        };
    }
}
