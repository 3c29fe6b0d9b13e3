using CellSeg.Data.Coco;
using CellSeg.Metrics.Coco;
using CellSeg.Models.CenterMask;
using CellSeg.Models.Tests.Infra;
using CellSeg.Models.Training;
using Xunit.Abstractions;

namespace CellSeg.Models.Tests.CenterMask;

public class CenterMaskTrainingTests(ITestOutputHelper output)
{
    // Huh7 (large cells) and BT474 (small, dense cells) from the validation sample, 128×128 around their densest cells.
    private static readonly Lazy<Task<(string Annotations, string Images)>> Crops = new(() => LivecellCrops.WriteAsync(128, 1037332, 100601));

    /// <summary>A small model (32-channel FPN) trained at the crops' own size, without flips, so it can memorise them.</summary>
    private static CenterMaskConfig OverfitConfig => TinyCenterMask.Config with
    {
        Backbone = new VoVNetSpec("small-dw-eSE", [16, 16, 16], [16, 16, 32, 32], [32, 32, 64, 64], 2, [1, 1, 1, 1], true),
        FpnChannels = 32,
        GroupNormGroups = 8,
        FcosTowerConvs = 2,
        MaskHeadConvs = 2,
        MaskHeadChannels = 16,
        MaskIouChannels = 16,
        PostNmsTopK = 200,
        Input = new CenterMaskInputOptions { MinSizeTrain = [128], MaxSizeTrain = 128, MinSizeTest = 128, MaxSizeTest = 128, HorizontalFlip = false },
    };

    private static async Task<CenterMaskTrainOptions> TinyRun(string folder, int iterations)
    {
        var (annotations, images) = await Crops.Value;
        return new CenterMaskTrainOptions
        {
            Train = new CocoImageSet(annotations, images),

            // Two training sizes and flips: the resumed run must draw the same augmentation as the uninterrupted one.
            Model = TinyCenterMask.Config with { Input = TinyCenterMask.Config.Input with { MinSizeTrain = [64, 96], HorizontalFlip = true } },
            Schedule = new WarmupMultiStepSchedule { BaseLearningRate = 0.01, BatchSize = 2, MaxIterations = iterations, WarmupIterations = 2, Milestones = [4] },
            GradientClipNorm = 10,
            CheckpointFolder = Path.Combine(folder, "checkpoints"),
            CheckpointEvery = 2,
            OutputModelPath = Path.Combine(folder, "cm.model"),
            Seed = 7,
            Threads = 2,
        };
    }

    [Fact]
    public async Task A_small_model_overfits_two_livecell_crops_to_a_training_AP50_above_one_half()
    {
        var (annotations, images) = await Crops.Value;
        var folder = TestPaths.NewTempFolder();
        const int iterations = 400;
        var options = new CenterMaskTrainOptions
        {
            Train = new CocoImageSet(annotations, images),
            Model = OverfitConfig,

            // From scratch (no pretrained backbone) memorising two crops in 400 iterations takes a high rate (10× the paper's);
            // the clip is a guard at that rate. The paper's rate trains without one (CenterMaskFromScratchTests).
            Schedule = new WarmupMultiStepSchedule { BaseLearningRate = 0.05, BatchSize = 2, MaxIterations = iterations, WarmupIterations = 20, WarmupFactor = 0.1, Milestones = [320] },
            GradientClipNorm = 10,
            OutputModelPath = Path.Combine(folder, "cm.model"),
            Seed = 1,
            Threads = 2,
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reports = new List<CenterMaskTrainProgress>();
        var result = await CenterMaskTrainer.TrainAsync(options, new SyncProgress<CenterMaskTrainProgress>(reports.Add));
        output.WriteLine($"trained {iterations} iterations in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(iterations, result.Iterations);
        Assert.Equal(2, result.TrainImages);
        Assert.Equal(iterations, reports.Count(r => r.Event == CenterMaskTrainEvent.Iteration));
        Assert.All(reports, r => Assert.Equal(CenterMaskLosses.Names, r.Losses.Keys));
        Assert.Equal(0.005, reports[0].LearningRate, 9);
        Assert.Equal(0.005, reports[^1].LearningRate, 9);
        Assert.True(reports[^1].TotalLoss < 0.75 * reports[1].TotalLoss, $"loss {reports[1].TotalLoss} → {reports[^1].TotalLoss}");

        var resultsPath = Path.Combine(folder, "results.json");
        var predicted = await CenterMaskPredictor.PredictAsync(new CenterMaskPredictOptions
        {
            ModelPath = result.ModelPath, ImagesFolder = images, Annotations = annotations, OutputPath = resultsPath, Threads = 2,
        });
        var dt = await CocoReader.LoadDetectionsAsync(resultsPath);
        Assert.Equal(predicted.Detections, dt.Detections.Count);
        Assert.All(dt.Detections, d =>
        {
            Assert.Contains(d.ImageId, new long[] { 1037332, 100601 });
            Assert.Equal(1, d.CategoryId);
            var rle = Assert.IsType<RleSegmentation>(d.Segmentation).Rle;
            Assert.Equal((128, 128), (rle.Height, rle.Width));
            Assert.NotNull(d.Bbox);
        });

        // AP50 over the LIVECell evaluation (class-agnostic, 2,000 detections): an untrained model scores 0 and a model
        // that learnt nothing but boxes stays far below; above 0.5 most cells of the crops are found with mask IoU ≥ 0.5.
        // Measured: 0.85 (400 iterations, this seed).
        var gt = await EvalGroundTruth.LoadAsync(annotations, IouType.Segm);
        var summary = CocoEvaluator.Evaluate(gt, EvalDetections.Prepare(dt, gt, IouType.Segm), CocoEvalParams.Livecell(IouType.Segm)).Accumulate();
        output.WriteLine($"AP {summary.AP:F3} AP50 {summary.AP50:F3}, {predicted.Detections} detections, {clock.Elapsed.TotalSeconds:F1} s in all");
        Assert.True(summary.AP50 > 0.5, $"training-set AP50 {summary.AP50}");
    }

    [Fact]
    public async Task A_run_interrupted_after_a_checkpoint_and_resumed_ends_with_the_weights_of_an_uninterrupted_run()
    {
        var whole = await TinyRun(TestPaths.NewTempFolder(), 6);
        var wholeResult = await CenterMaskTrainer.TrainAsync(whole);
        Assert.Equal(0, wholeResult.ResumedFromIteration);

        var split = await TinyRun(TestPaths.NewTempFolder(), 6);
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<CenterMaskTrainProgress>(r =>
        {
            if (r.Event == CenterMaskTrainEvent.Checkpoint && r.Iteration == 4)
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CenterMaskTrainer.TrainAsync(split, progress, cancel.Token));
        Assert.False(File.Exists(split.OutputModelPath));
        var store = new TrainingCheckpointStore<IterationCheckpointState>(split.CheckpointFolder!);
        Assert.Equal(4, TrainingCheckpointStore<IterationCheckpointState>.ReadState(store.LatestFolder()!).Iteration);

        var resumedReports = new List<CenterMaskTrainProgress>();
        var resumed = await CenterMaskTrainer.TrainAsync(split, new SyncProgress<CenterMaskTrainProgress>(resumedReports.Add));
        Assert.Equal(4, resumed.ResumedFromIteration);
        Assert.Equal(6, resumed.Iterations);
        Assert.Equal(CenterMaskTrainEvent.Resumed, resumedReports[0].Event);
        Assert.Equal(2, resumedReports.Count(r => r.Event == CenterMaskTrainEvent.Iteration));

        using var a = CenterMaskModelFile.Load(wholeResult.ModelPath);
        using var b = CenterMaskModelFile.Load(resumed.ModelPath);
        var sa = a.state_dict();
        var sb = b.state_dict();
        Assert.Equal(sa.Keys, sb.Keys);
        Assert.All(sa.Keys, k => Assert.True(Tensors.Same(sa[k], sb[k]), $"{k} differs"));

        // A checkpoint holds the weights of its iteration: loading it into a fresh model gives them back.
        using var fresh = new CenterMaskModel(split.Model);
        var state = TrainingCheckpointStore<IterationCheckpointState>.Load(store.LatestFolder()!, fresh, restoreRng: false);
        Assert.Equal(6, state.Iteration);
        Assert.True(state.Finished);
        Assert.All(sb.Keys, k => Assert.True(Tensors.Same(fresh.state_dict()[k], sb[k]), $"{k} differs from the checkpoint"));
    }

    [Fact]
    public async Task Another_runs_checkpoint_is_refused_with_an_error_naming_its_state_file()
    {
        var folder = TestPaths.NewTempFolder();
        var first = await TinyRun(folder, 2);
        await CenterMaskTrainer.TrainAsync(first);
        var other = first with { Seed = 8 };
        var e = await Assert.ThrowsAsync<CellSeg.Data.DataFormatException>(() => CenterMaskTrainer.TrainAsync(other));
        Assert.EndsWith("state.json", e.FilePath);
    }
}

/// <summary>Reports on the caller's thread at once (Progress&lt;T&gt; posts to a context, which tests must not wait for).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
