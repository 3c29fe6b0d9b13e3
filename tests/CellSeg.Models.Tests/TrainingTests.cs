using CellSeg.Data;
using CellSeg.Models.Data;
using CellSeg.Models.Evaluation;
using CellSeg.Models.Inference;
using CellSeg.Models.Networks;
using CellSeg.Models.Training;

namespace CellSeg.Models.Tests;

public class TrainingTests
{
    [Fact]
    public async Task A_tiny_unet_overfits_real_livecell_crops()
    {
        var data = new SegmentationDataset((await TestData.Val()).Samples.Take(2).ToList());
        var folder = TestPaths.NewTempFolder();
        var events = new List<TrainProgress>();
        var result = await UNetTrainer.TrainAsync(new TrainOptions
        {
            Train = data,
            Validation = data,
            Shape = new UNetOptions { Depth = 2, BaseChannels = 8 },
            Augmentation = new AugmentationOptions { CropSize = 64 },
            BatchSize = 4,
            IterationsPerEpoch = 40,
            Epochs = 4,
            Optimizer = "adam",
            LearningRate = 3e-3,
            EarlyStoppingPatience = 0,
            Seed = 1,
            Threads = 2,
            OutputModelPath = Path.Combine(folder, "tiny.model"),
        }, new SyncProgress<TrainProgress>(events.Add));

        var epochs = events.Where(e => e.Event == TrainEvent.Epoch).ToList();
        Assert.Equal(4, epochs.Count);
        Assert.Equal(160, events.Count(e => e.Event == TrainEvent.Iteration));
        Assert.All(events.Where(e => e.Event == TrainEvent.Iteration), e => Assert.True(e.ImagesPerSecond > 0));
        Assert.True(epochs[^1].Loss < epochs[0].Loss, $"loss falls: {string.Join(", ", epochs.Select(e => e.Loss))}");
        Assert.True(result.BestValidationF1 > 0.7, $"Dice on the images it trained on: {result.BestValidationF1}");

        // The best model file scores what the trainer reported, through the public inference path.
        using var model = SegmentationModel.Load(result.ModelPath);
        var evaluation = SemanticEvaluator.Evaluate(new UNetSegmenter(model), data);
        Assert.Equal(result.BestValidationF1!.Value, evaluation.Overall.F1, 6);
        Assert.Equal(data.CellTypes, evaluation.PerCellType.Keys);
    }

    [Fact]
    public async Task Training_continued_from_a_checkpoint_ends_with_the_weights_of_an_uninterrupted_run()
    {
        var data = new SegmentationDataset((await TestData.Val()).Samples.Take(2).ToList());
        var folder = TestPaths.NewTempFolder();
        TrainOptions Options(int epochs, string? checkpoints, string output) =>
            TinyTraining.Options(data, checkpoints, Path.Combine(folder, output)) with { IterationsPerEpoch = 6, Epochs = epochs, CheckpointEvery = 3 };

        var straight = await UNetTrainer.TrainAsync(Options(2, null, "straight.model"));
        var first = await UNetTrainer.TrainAsync(Options(1, Path.Combine(folder, "ckpt"), "resumed.model"));
        Assert.Equal(6, first.Iterations);
        var events = new List<TrainProgress>();
        var second = await UNetTrainer.TrainAsync(Options(2, Path.Combine(folder, "ckpt"), "resumed.model"), new SyncProgress<TrainProgress>(events.Add));

        Assert.Equal(6, second.ResumedFromIteration);
        Assert.Equal(12, second.Iterations);
        Assert.Equal(7, events.First(e => e.Event == TrainEvent.Iteration).Iteration);
        Assert.Equal(2, second.History.Count);
        using var a = SegmentationModel.Load(straight.ModelPath);
        using var b = SegmentationModel.Load(second.ModelPath);
        Assert.True(UNetArchitectureTests.WeightsEqual(a.Network, b.Network, 1e-5));
    }

    [Fact]
    public async Task Cancelling_stops_between_steps_and_a_later_run_resumes_from_the_last_checkpoint()
    {
        var data = new SegmentationDataset((await TestData.Val()).Samples.Take(1).ToList());
        var folder = TestPaths.NewTempFolder();
        var options = TinyTraining.Options(data, Path.Combine(folder, "ckpt"), Path.Combine(folder, "m.model")) with { IterationsPerEpoch = 12, CheckpointEvery = 3 };
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<TrainProgress>(p =>
        {
            if (p.Event == TrainEvent.Iteration && p.Iteration == 5)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => UNetTrainer.TrainAsync(options, progress, cancel.Token));
        Assert.False(File.Exists(options.OutputModelPath));

        var result = await UNetTrainer.TrainAsync(options);
        Assert.Equal(3, result.ResumedFromIteration);
        Assert.Equal(12, result.Iterations);
        Assert.True(File.Exists(result.ModelPath));
    }

    [Fact]
    public async Task A_checkpoint_of_other_options_is_refused()
    {
        var data = new SegmentationDataset((await TestData.Val()).Samples.Take(1).ToList());
        var folder = TestPaths.NewTempFolder();
        var options = TinyTraining.Options(data, Path.Combine(folder, "ckpt"), Path.Combine(folder, "m.model")) with { IterationsPerEpoch = 2 };
        await UNetTrainer.TrainAsync(options);
        var e = await Assert.ThrowsAsync<DataFormatException>(() => UNetTrainer.TrainAsync(options with { Seed = 99, Epochs = 2 }));
        Assert.Equal("fingerprint", e.Record);
    }

    [Fact]
    public async Task Training_with_synthetic_images_mixed_by_fraction_runs_and_a_checkpoint_of_another_mix_is_refused()
    {
        var samples = (await TestData.Val()).Samples;
        var real = new SegmentationDataset(samples.Take(1).ToList());
        var synthetic = new SegmentationDataset(samples.Skip(1).Take(2).ToList());
        var folder = TestPaths.NewTempFolder();
        var options = TinyTraining.Options(real, Path.Combine(folder, "ckpt"), Path.Combine(folder, "m.model")) with
        {
            IterationsPerEpoch = 3, Synthetic = synthetic, Mixing = new SyntheticMixing { SyntheticFraction = 0.25, DensityCurriculum = 0.5 },
        };
        var result = await UNetTrainer.TrainAsync(options);
        Assert.Equal(3, result.Iterations);
        Assert.True(File.Exists(result.ModelPath));

        var e = await Assert.ThrowsAsync<DataFormatException>(() => UNetTrainer.TrainAsync(options with { Epochs = 2, Mixing = new SyntheticMixing { SyntheticFraction = 0.5 } }));
        Assert.Equal("fingerprint", e.Record);
        Assert.Contains("syntheticFraction: 0.3 asks for synthetic crops", Assert.Throws<ArgumentException>(() => (options with { Synthetic = null, Mixing = new SyntheticMixing { SyntheticFraction = 0.3 } }).Validate()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoints_hold_weights_optimizer_state_step_and_rng()
    {
        var data = new SegmentationDataset((await TestData.Val()).Samples.Take(1).ToList());
        var folder = TestPaths.NewTempFolder();
        var options = TinyTraining.Options(data, Path.Combine(folder, "ckpt"), Path.Combine(folder, "m.model")) with { IterationsPerEpoch = 5, CheckpointEvery = 2 };
        await UNetTrainer.TrainAsync(options);

        var store = new CheckpointStore(Path.Combine(folder, "ckpt"));
        var latest = store.LatestFolder()!;
        Assert.EndsWith("step-000000005", latest);
        Assert.Equal(2, Directory.GetDirectories(store.Folder).Length);   // the newest two are kept
        foreach (var file in new[] { "weights.bin", "optimizer.bin", "state.json" })
        {
            Assert.True(new FileInfo(Path.Combine(latest, file)).Length > 0, file);
        }

        var state = CheckpointStore.ReadState(latest);
        Assert.Equal(5, state.Iteration);
        Assert.True(state.Finished);
        Assert.NotNull(state.TorchRngState);
        using var model = SegmentationModel.Create(UNetArchitectures.UNet, options.Shape, seed: 0);
        using var optimizer = TorchSharp.torch.optim.RMSProp(model.Network.parameters(), 1e-3, momentum: 0.9);
        CheckpointStore.Load(latest, model.Network, optimizer);
        using var saved = SegmentationModel.Load(options.OutputModelPath);
        Assert.True(UNetArchitectureTests.WeightsEqual(model.Network, saved.Network));
    }

    [Fact]
    public async Task Early_stopping_ends_training_when_validation_dice_stalls()
    {
        var data = new SegmentationDataset((await TestData.Val()).Samples.Take(1).ToList());
        var folder = TestPaths.NewTempFolder();

        // A learning rate so small that nothing changes: Dice never improves after the first epoch.
        var result = await UNetTrainer.TrainAsync(TinyTraining.Options(data, null, Path.Combine(folder, "m.model")) with
        {
            Validation = data, IterationsPerEpoch = 1, Epochs = 10, LearningRate = 1e-12, EarlyStoppingPatience = 2, LrPlateauPatience = 1,
        });
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.History.Count);
        Assert.True(result.History[2].LearningRate < result.History[0].LearningRate);
    }

    [Fact]
    public async Task An_ensemble_trains_one_member_per_cell_type_and_routes_by_it()
    {
        var data = await TestData.Val();
        var folder = TestPaths.NewTempFolder();
        var members = new List<string>();
        var result = await UNetTrainer.TrainAsync(new TrainOptions
        {
            Train = data,
            Architecture = UNetArchitectures.DeepUNetEnsemble,
            Shape = new UNetOptions { Depth = 1, BaseChannels = 2 },
            Augmentation = new AugmentationOptions { CropSize = 32 },
            BatchSize = 2,
            IterationsPerEpoch = 2,
            Epochs = 1,
            Threads = 1,
            CheckpointFolder = Path.Combine(folder, "ckpt"),
            OutputModelPath = Path.Combine(folder, "ensemble.model"),
        }, new SyncProgress<TrainProgress>(p =>
        {
            if (p.Event == TrainEvent.Member)
            {
                members.Add(p.Member!);
            }
        }));

        Assert.Equal(["BT474", "Huh7", "MCF7"], members);
        Assert.Equal(["BT474", "Huh7", "MCF7"], result.Members.Keys.Order());
        using var model = SegmentationModel.Load(result.ModelPath);
        Assert.Equal(UNetArchitectures.DeepUNetEnsemble, model.Header.Architecture);
        Assert.Equal(["BT474", "Huh7", "MCF7"], model.Header.CellTypes);
        Assert.Equal([2, 4, 4, 8], model.Header.Options.LevelChannels);
        using var member = SegmentationModel.Load(result.Members["Huh7"].ModelPath);
        var ensemble = Assert.IsType<UNetEnsemble>(model.Network);
        Assert.True(UNetArchitectureTests.WeightsEqual(ensemble.Member("Huh7"), member.Network));
    }
}
