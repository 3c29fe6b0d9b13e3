using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CellSeg.Data;
using CellSeg.Models.Runtime;
using CellSeg.Models.Data;
using CellSeg.Models.Evaluation;
using CellSeg.Models.Inference;
using CellSeg.Models.Networks;
using CellSeg.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CellSeg.Models.Training;

/// <summary>
/// Trains a U-Net, a deep U-Net or a deep U-Net ensemble (one member per cell type, one after another) on
/// random augmented crops, with BCE + Dice, validation F1 every epoch, LR decay on a plateau, early
/// stopping and checkpoints that a restarted process continues from (same step, same weights, same
/// optimiser state, same future crops).
/// </summary>
public static class UNetTrainer
{
    /// <summary>Trains and writes <see cref="TrainOptions.OutputModelPath"/>.</summary>
    /// <param name="options">Data, model, optimiser, checkpoints.</param>
    /// <param name="progress">Iterations, epochs (with validation F1), checkpoints, resume, early stop.</param>
    /// <param name="cancellationToken">Stops between steps; the latest checkpoint stays for a resume.</param>
    /// <exception cref="ArgumentException">Bad options (naming the option).</exception>
    /// <exception cref="DataFormatException">A checkpoint that does not fit these options or this network.</exception>
    public static Task<TrainResult> TrainAsync(TrainOptions options, IProgress<TrainProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // Torch's dispose scopes are per thread, so the whole run stays on one dedicated thread.
        return Task.Factory.StartNew(() => Train(options, progress, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static TrainResult Train(TrainOptions options, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        TorchDevices.SetThreads(options.Threads);
        TorchRuntime.EnsureKernelsCorrect();   // before the first iteration: wrong kernels stop here, named
        if (options.Architecture != UNetArchitectures.DeepUNetEnsemble)
        {
            return TrainNetwork(options, options.Architecture, options.Train, options.Synthetic, options.Validation, options.CheckpointFolder, options.OutputModelPath, null, progress, ct);
        }

        if (options.InitialModelPath is not null)
        {
            throw new ArgumentException($"a warm start (initial model) is not available for {UNetArchitectures.DeepUNetEnsemble}: its members are trained per cell type; train it from scratch");
        }

        // One deep member per cell type; a finished member is not trained again after a restart.
        var memberShape = UNetArchitectures.OptionsFor(UNetArchitectures.DeepUNetEnsemble, options.Shape);
        var output = Path.GetFullPath(options.OutputModelPath);
        var membersFolder = output + ".members";
        var results = new Dictionary<string, TrainResult>(StringComparer.Ordinal);
        var memberTypes = options.Train.CellTypes.Union(options.Synthetic?.CellTypes ?? []).Order(StringComparer.Ordinal).ToList();
        foreach (var cellType in memberTypes)
        {
            var memberOptions = options with { Shape = memberShape };
            var checkpoints = options.CheckpointFolder is null ? null : Path.Combine(options.CheckpointFolder, "member-" + cellType);
            results[cellType] = TrainNetwork(memberOptions, UNetArchitectures.DeepUNet, options.Train.OfCellType(cellType), options.Synthetic?.OfCellType(cellType),
                options.Validation?.OfCellType(cellType) is { Count: > 0 } v ? v : null, checkpoints,
                Path.Combine(membersFolder, cellType + ".model"), cellType, progress, ct);
        }

        var members = results.ToDictionary(r => r.Key, r => SegmentationModel.Load(r.Value.ModelPath, "cpu"), StringComparer.Ordinal);
        try
        {
            using var ensemble = SegmentationModel.Ensemble(members, "cpu");
            ensemble.Save(output, new Dictionary<string, string>
            {
                ["members"] = string.Join(", ", results.Select(r => $"{r.Key}: {r.Value.Iterations} iterations, validation F1 {Format(r.Value.BestValidationF1)}")),
                ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            });
        }
        finally
        {
            foreach (var m in members.Values)
            {
                m.Dispose();
            }
        }

        var dices = results.Values.Select(r => r.BestValidationF1).OfType<double>().ToList();
        return new TrainResult(output, results.Values.Sum(r => r.Iterations), dices.Count > 0 ? dices.Average() : null, 0,
            results.Values.Any(r => r.StoppedEarly), results.Values.Max(r => r.ResumedFromIteration), [], results);
    }

    private static TrainResult TrainNetwork(TrainOptions options, string architecture, SegmentationDataset train, SegmentationDataset? synthetic, SegmentationDataset? validation,
        string? checkpointFolder, string outputPath, string? member, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        var images = train.Count + (synthetic?.Count ?? 0);
        var iterationsPerEpoch = options.IterationsPerEpoch ?? Math.Max(1, images / options.BatchSize);
        var totalIterations = (long)iterationsPerEpoch * options.Epochs;
        var fingerprint = Fingerprint(options, architecture, iterationsPerEpoch, images);
        if (options.Mixing.SyntheticFraction is not null || options.Mixing.DensityCurriculum > 0)
        {
            // Only a run that mixes on purpose carries it, so checkpoints of earlier runs still resume.
            fingerprint += FormattableString.Invariant($" mixing: syntheticImages {synthetic?.Count ?? 0}, syntheticFraction {options.Mixing.SyntheticFraction}, densityCurriculum {options.Mixing.DensityCurriculum}");
        }
        using var model = options.InitialModelPath is { } initial
            ? WarmStart(initial, architecture, options)
            : SegmentationModel.Create(architecture, options.Shape, null, options.Device, options.Seed, options.Augmentation.Normalization);
        var network = model.Network;
        using var optimizer = CreateOptimizer(options.Optimizer, options.LearningRate, options.WeightDecay, options.Momentum, network);
        var store = checkpointFolder is null ? null : new CheckpointStore(checkpointFolder);

        var state = new CheckpointState { Iteration = 0, Fingerprint = fingerprint, Seed = options.Seed, LearningRate = options.LearningRate };
        long resumedFrom = 0;
        if (options.Resume && store?.LatestFolder() is { } latest)
        {
            var saved = CheckpointStore.ReadState(latest);
            if (saved.Fingerprint != fingerprint)
            {
                throw new DataFormatException(Path.Combine(latest, "state.json"), "fingerprint",
                    $"the checkpoint was made by a run with other options ({saved.Fingerprint}); this run: {fingerprint}. Use another checkpoint folder or resume=false");
            }

            state = CheckpointStore.Load(latest, network, optimizer);
            resumedFrom = state.Iteration;
            SetLearningRate(optimizer, state.LearningRate);
            progress?.Report(new TrainProgress(TrainEvent.Resumed, state.Iteration, totalIterations, (int)(state.Iteration / iterationsPerEpoch) + 1, 0,
                state.History.LastOrDefault()?.ValidationF1, 0, state.LearningRate, member));
        }

        if (member is not null)
        {
            progress?.Report(new TrainProgress(TrainEvent.Member, state.Iteration, totalIterations, 0, 0, null, 0, state.LearningRate, member));
        }

        if (!state.StoppedEarly && state.Iteration < totalIterations)
        {
            state = RunIterations(options, model, optimizer, store, state, train, synthetic, validation, iterationsPerEpoch, totalIterations, outputPath, member, progress, ct);
        }

        if (!state.Finished && store is not null)
        {
            state = state with { Finished = true };
            store.Save(state, network, optimizer);
        }

        // Without validation (or when no epoch ever scored), the final weights are the model.
        if (state.BestValidationF1 is null || !File.Exists(outputPath))
        {
            model.Save(outputPath, TrainingFacts(options, state, member));
        }

        return new TrainResult(Path.GetFullPath(outputPath), state.Iteration, state.BestValidationF1,
            state.BestValidationF1 is null ? state.History.Count : state.BestEpoch, state.StoppedEarly, resumedFrom, state.History,
            new Dictionary<string, TrainResult>());
    }

    private static CheckpointState RunIterations(TrainOptions options, SegmentationModel model, OptimizerHelper optimizer, CheckpointStore? store,
        CheckpointState state, SegmentationDataset train, SegmentationDataset? synthetic, SegmentationDataset? validation, int iterationsPerEpoch, long totalIterations,
        string outputPath, string? member, IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        var network = model.Network;
        var device = model.Device;
        var sampler = new CropSampler(train, synthetic, options.Mixing with { TotalIterations = Math.Max(1, totalIterations) }, options.Augmentation, options.Seed);
        using var prefetcher = new BatchPrefetcher(sampler, state.Iteration, totalIterations, options.BatchSize, options.PrefetchBatches);
        network.train();
        var clock = Stopwatch.StartNew();
        long imagesSinceReport = 0;
        var lr = state.LearningRate;
        while (state.Iteration < totalIterations)
        {
            ct.ThrowIfCancellationRequested();
            var batch = prefetcher.Take(ct);
            double lossValue;
            using (NewDisposeScope())
            {
                var x = tensor(batch.Pixels, [batch.Count, 1, batch.Size, batch.Size]).to(device);
                var y = tensor(batch.Masks, [batch.Count, 1, batch.Size, batch.Size]).to(device);
                sampler.Return(batch);
                optimizer.zero_grad();
                var loss = SegmentationLoss.BceDice(network.forward(x), y);
                loss.backward();
                if (options.GradientClip is { } clip)
                {
                    nn.utils.clip_grad_norm_(network.parameters(), clip);
                }

                optimizer.step();
                lossValue = loss.item<float>();
            }

            if (!double.IsFinite(lossValue))
            {
                TorchRuntime.RecheckAfterDivergence($"training diverged at step {state.Iteration + 1} (the loss is {lossValue})");
                throw new InvalidOperationException($"training diverged at step {state.Iteration + 1}: the loss is {lossValue} (the CPU kernels pass the numeric self-check, so try a smaller learning rate; if it comes back at random steps, see README, 'CPU kernels')");
            }

            state = state with { Iteration = state.Iteration + 1, EpochLossSum = state.EpochLossSum + lossValue };
            imagesSinceReport += batch.Count;
            var epoch = (int)((state.Iteration - 1) / iterationsPerEpoch) + 1;
            if (state.Iteration % options.ReportEvery == 0 || state.Iteration == totalIterations)
            {
                var rate = imagesSinceReport / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                progress?.Report(new TrainProgress(TrainEvent.Iteration, state.Iteration, totalIterations, epoch, lossValue, null, rate, lr, member));
                imagesSinceReport = 0;
                clock.Restart();
            }

            if (state.Iteration % iterationsPerEpoch == 0)
            {
                state = EndEpoch(options, model, optimizer, state, validation, iterationsPerEpoch, totalIterations, epoch, outputPath, member, progress, ct);
                lr = state.LearningRate;
                network.train();
                if (store is not null)
                {
                    store.Save(state, network, optimizer);
                    progress?.Report(new TrainProgress(TrainEvent.Checkpoint, state.Iteration, totalIterations, epoch, lossValue, null, 0, lr, member));
                }

                clock.Restart();
                if (state.StoppedEarly)
                {
                    progress?.Report(new TrainProgress(TrainEvent.EarlyStop, state.Iteration, totalIterations, epoch, lossValue, state.BestValidationF1, 0, lr, member));
                    break;
                }
            }
            else if (store is not null && state.Iteration % options.CheckpointEvery == 0)
            {
                store.Save(state, network, optimizer);
                progress?.Report(new TrainProgress(TrainEvent.Checkpoint, state.Iteration, totalIterations, epoch, lossValue, null, 0, lr, member));
                clock.Restart();
            }
        }

        return state;
    }

    private static CheckpointState EndEpoch(TrainOptions options, SegmentationModel model, OptimizerHelper optimizer, CheckpointState state,
        SegmentationDataset? validation, int iterationsPerEpoch, long totalIterations, int epoch, string outputPath, string? member,
        IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        var meanLoss = state.EpochLossSum / iterationsPerEpoch;
        double? dice = null;
        if (validation is { Count: > 0 })
        {
            var segmenter = new UNetSegmenter(model);
            dice = SemanticEvaluator.Evaluate(segmenter, validation, null, ct).Overall.F1;
        }

        var lr = state.LearningRate;
        var history = state.History.Append(new EpochSummary(epoch, state.Iteration, meanLoss, dice, lr)).ToList();
        state = state with { History = history, EpochLossSum = 0 };
        if (dice is { } d)
        {
            if (state.BestValidationF1 is null || d > state.BestValidationF1)
            {
                state = state with { BestValidationF1 = d, BestEpoch = epoch, EpochsWithoutImprovement = 0 };
                model.Save(outputPath, TrainingFacts(options, state, member));
            }
            else
            {
                state = state with { EpochsWithoutImprovement = state.EpochsWithoutImprovement + 1 };
                if (options.LrPlateauPatience > 0 && state.EpochsWithoutImprovement % options.LrPlateauPatience == 0)
                {
                    lr *= options.LrDecayFactor;
                    SetLearningRate(optimizer, lr);
                    state = state with { LearningRate = lr };
                }

                if (options.EarlyStoppingPatience > 0 && state.EpochsWithoutImprovement >= options.EarlyStoppingPatience)
                {
                    state = state with { StoppedEarly = true, Finished = true };
                }
            }
        }

        progress?.Report(new TrainProgress(TrainEvent.Epoch, state.Iteration, totalIterations, epoch, meanLoss, dice, 0, lr, member));
        return state;
    }

    private static Dictionary<string, string> TrainingFacts(TrainOptions options, CheckpointState state, string? member)
    {
        var facts = new Dictionary<string, string>
        {
            ["iterations"] = state.Iteration.ToString(CultureInfo.InvariantCulture),
            ["validationF1"] = Format(state.BestValidationF1),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = $"{options.Optimizer} lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)}",
            ["batch"] = $"{options.BatchSize}×{options.Augmentation.CropSize}²",
        };
        if (member is not null)
        {
            facts["cellType"] = member;
        }

        return facts;
    }

    private static string Format(double? value) => value?.ToString("F4", CultureInfo.InvariantCulture) ?? "n/a";

    /// <summary>The trainer's optimiser by name (held-scalar versions of TorchSharp's Adam, SGD and RMSprop).</summary>
    internal static OptimizerHelper CreateOptimizer(string name, double learningRate, double weightDecay, double momentum, nn.Module network) => name switch
    {
        "adam" => new HeldOptimizers.Adam(network.parameters(), learningRate, weightDecay: weightDecay),
        "sgd" => new HeldOptimizers.SGD(network.parameters(), learningRate, momentum: momentum, weightDecay: weightDecay),
        _ => new HeldOptimizers.RMSProp(network.parameters(), learningRate, weightDecay: weightDecay, momentum: momentum),
    };

    private static void SetLearningRate(OptimizerHelper optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }
    }

    /// <summary>The initial model, checked to be the network that is trained (a warm start from a champion).</summary>
    private static SegmentationModel WarmStart(string path, string architecture, TrainOptions options)
    {
        var header = SegmentationModel.ReadHeader(path);
        var expected = UNetArchitectures.OptionsFor(architecture, options.Shape);
        if (header.Architecture != architecture || JsonSerializer.Serialize(header.Options, SegmentationModel.JsonOptions) != JsonSerializer.Serialize(expected, SegmentationModel.JsonOptions) || header.Normalization != options.Augmentation.Normalization || header.CellTypes is not null)
        {
            throw new DataFormatException(path, "header",
                $"the initial model is a {header.Architecture} ({Describe(header.Options)}, {header.Normalization} normalisation) but this training is a {architecture} ({Describe(expected)}, {options.Augmentation.Normalization} normalisation): a warm start needs the same network");
        }

        return SegmentationModel.Load(path, options.Device);
    }

    private static string Describe(UNetOptions shape) =>
        string.Create(CultureInfo.InvariantCulture, $"base {shape.BaseChannels}, depth {shape.Depth}{(shape.Bilinear ? ", bilinear" : string.Empty)}");

    private static string? FileHash(string? path)
    {
        if (path is null)
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    private static string Fingerprint(TrainOptions options, string architecture, int iterationsPerEpoch, int trainImages) =>
        JsonSerializer.Serialize(new
        {
            variant = architecture,   // the key as earlier versions wrote it (with stepsPerEpoch below), so their checkpoints still resume
            shape = UNetArchitectures.OptionsFor(architecture, options.Shape),
            options.BatchSize,
            options.Augmentation.CropSize,
            options.Augmentation.Flips,
            options.Augmentation.Rotations,
            stepsPerEpoch = iterationsPerEpoch,
            trainImages,
            options.Seed,
            options.Optimizer,
            options.LearningRate,
            initialModel = FileHash(options.InitialModelPath),
        }, SegmentationModel.JsonOptions).ReplaceLineEndings(" ");
}
