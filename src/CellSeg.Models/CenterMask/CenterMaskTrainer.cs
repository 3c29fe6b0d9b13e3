using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CellSeg.Data;
using CellSeg.Models.Runtime;
using CellSeg.Models.Training;
using CellSeg.Models.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Finetunes CenterMask on COCO instance annotations as the paper does: SGD with momentum and weight decay (none on
/// norms), detectron2's warm-up + multi-step schedule, resize/flip augmentation from the config, optional pretrained
/// centermask2 weights, checkpoints every N iterations that a restarted run continues from exactly (same batches,
/// same random numbers, same weights), and the model file at the end.
/// </summary>
public static class CenterMaskTrainer
{
    /// <summary>Trains and writes <see cref="CenterMaskTrainOptions.OutputModelPath"/>.</summary>
    /// <param name="options">Data, network, solver, weights, checkpoints.</param>
    /// <param name="progress">Every iteration (loss components, LR, images/s), checkpoints and a resume.</param>
    /// <param name="cancellationToken">Stops between iterations; the latest checkpoint stays for a resume.</param>
    /// <exception cref="ArgumentException">Bad options (naming the option).</exception>
    /// <exception cref="DataFormatException">Missing or bad annotations, images, pretrained weights or checkpoint (naming the file).</exception>
    public static async Task<CenterMaskTrainResult> TrainAsync(CenterMaskTrainOptions options, IProgress<CenterMaskTrainProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var data = await InstanceDataset.LoadAsync([options.Train, .. options.ExtraSets], options.CellTypes, cancellationToken).ConfigureAwait(false);
        if (data.Count == 0)
        {
            throw new DataFormatException(options.Train.Annotations, null,
                options.CellTypes is null ? "no image with annotated cells" : $"no image with annotated cells of the cell types {string.Join(", ", options.CellTypes)}");
        }

        // Torch's dispose scopes are per thread, so the whole run stays on one dedicated thread.
        return await Task.Factory.StartNew(() => Train(options, data, progress, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
    }

    private static CenterMaskTrainResult Train(CenterMaskTrainOptions options, InstanceDataset data, IProgress<CenterMaskTrainProgress>? progress, CancellationToken ct)
    {
        TorchDevices.SetThreads(options.Threads);
        TorchRuntime.EnsureKernelsCorrect();   // before the first iteration: wrong kernels stop here, named
        var device = TorchDevices.Resolve(options.Device);
        var schedule = options.Schedule;
        torch.manual_seed(options.Seed);
        using var model = new CenterMaskModel(options.Model);
        WeightLoadReport? pretrained = null;
        if (options.PretrainedWeights is { } weights)
        {
            pretrained = WeightLoader.Load(model, weights, model.Centermask2Map(), strict: false);
        }

        if (device.type != DeviceType.CPU)
        {
            model.to(device);
        }

        model.train();
        using var optimizer = SgdParameterGroups.CreateSgd(model, schedule.LearningRateAt(0), options.Momentum, options.WeightDecay);
        var fingerprint = Fingerprint(options, data.Count);
        var store = options.CheckpointFolder is null ? null : new TrainingCheckpointStore<IterationCheckpointState>(options.CheckpointFolder);
        var state = new IterationCheckpointState { Iteration = 0, Fingerprint = fingerprint, Seed = options.Seed, LearningRate = schedule.LearningRateAt(0) };
        long resumedFrom = 0;
        if (options.Resume && store?.Resume(fingerprint, model, optimizer) is { } saved)
        {
            state = saved;
            resumedFrom = saved.Iteration;
            progress?.Report(new CenterMaskTrainProgress(CenterMaskTrainEvent.Resumed, state.Iteration, schedule.MaxIterations, new Dictionary<string, double>(), 0, state.LearningRate, 0));
        }

        var sampler = new CenterMaskBatchSampler(data.Count, schedule.BatchSize, options.Seed);
        var input = options.Model.CreateInput();
        IReadOnlyDictionary<string, double> last = new Dictionary<string, double>();
        while (state.Iteration < schedule.MaxIterations)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var iteration = state.Iteration;
            var lr = schedule.Apply(optimizer, iteration);
            var random = sampler.Random(iteration);
            double total;
            using (NewDisposeScope())
            {
                var samples = sampler.Batch(iteration).Select(i => data.Samples[i].ToCenterMaskSample()).ToList();
                var batch = input.Prepare(samples, training: true, random);
                if (device.type != DeviceType.CPU)
                {
                    batch = batch with
                    {
                        Images = batch.Images.to(device),
                        Boxes = batch.Boxes.Select(b => b?.to(device)).ToArray(),
                        Classes = batch.Classes.Select(c => c?.to(device)).ToArray(),
                    };
                }

                optimizer.zero_grad();
                var losses = model.Losses(batch, random);
                var sum = losses.Total();
                sum.backward();
                if (options.GradientClipNorm is { } clip)
                {
                    nn.utils.clip_grad_norm_(model.parameters(), clip);
                }

                optimizer.step();
                total = sum.item<float>();
                last = losses.Values();
            }

            if (!double.IsFinite(total))
            {
                TorchRuntime.RecheckAfterDivergence($"CenterMask training diverged at iteration {iteration + 1} (the loss is {total})");
                throw new InvalidOperationException($"CenterMask training diverged at iteration {iteration + 1}: the loss is {total} ({string.Join(", ", last.Select(kv => $"{kv.Key} {kv.Value}"))}; the CPU kernels pass the numeric self-check, so try a smaller learning rate or a longer warm-up; if it comes back at random iterations, see README, 'CPU kernels')");
            }

            state = state with { Iteration = iteration + 1, LearningRate = lr, Finished = iteration + 1 == schedule.MaxIterations };
            progress?.Report(new CenterMaskTrainProgress(CenterMaskTrainEvent.Iteration, state.Iteration, schedule.MaxIterations, last, total, lr,
                schedule.BatchSize / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
            if (store is not null && (state.Iteration % options.CheckpointEvery == 0 || state.Finished))
            {
                store.Save(state, model, optimizer);
                progress?.Report(new CenterMaskTrainProgress(CenterMaskTrainEvent.Checkpoint, state.Iteration, schedule.MaxIterations, last, total, lr, 0));
            }
        }

        CenterMaskModelFile.Save(model, options.OutputModelPath, new Dictionary<string, string>
        {
            ["iterations"] = state.Iteration.ToString(CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["trainImages"] = data.Count.ToString(CultureInfo.InvariantCulture),
            ["categoryIds"] = string.Join(",", data.CategoryIds),
            ["solver"] = $"SGD lr {schedule.BaseLearningRate.ToString(CultureInfo.InvariantCulture)} batch {schedule.BatchSize} warm-up {schedule.WarmupIterations} milestones [{string.Join(", ", schedule.Milestones)}] gamma {schedule.Gamma.ToString(CultureInfo.InvariantCulture)}",
            ["pretrained"] = pretrained is null ? "none" : $"{pretrained.FilePath}: {pretrained.Loaded.Count} loaded, {pretrained.Missing.Count} missing, {pretrained.Unexpected.Count} unexpected, {pretrained.Mismatched.Count} mismatched",
        });
        return new CenterMaskTrainResult(Path.GetFullPath(options.OutputModelPath), state.Iteration, resumedFrom, data.Count, pretrained, last);
    }

    private static string Fingerprint(CenterMaskTrainOptions options, int trainImages) =>
        JsonSerializer.Serialize(new
        {
            model = options.Model,
            schedule = options.Schedule,
            options.Momentum,
            options.WeightDecay,
            options.GradientClipNorm,
            options.Seed,
            trainImages,
            options.CellTypes,
            pretrained = options.PretrainedWeights is null ? null : Path.GetFileName(options.PretrainedWeights),
        }, SegmentationModel.JsonOptions).ReplaceLineEndings(" ");
}
