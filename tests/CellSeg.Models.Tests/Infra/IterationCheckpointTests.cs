using CellSeg.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.Infra;

/// <summary>Checkpoint and resume of an iteration-based finetuning loop (SGD groups, warm-up schedule, torch RNG).</summary>
public class IterationCheckpointTests
{
    private static readonly WarmupMultiStepSchedule Schedule = new()
    {
        BaseLearningRate = 0.05, BatchSize = 4, MaxIterations = 10, WarmupIterations = 3, Milestones = [6, 8],
    };

    private static nn.Module<Tensor, Tensor> Net() => nn.Sequential(
        ("fc1", nn.Linear(3, 8)), ("norm", nn.LayerNorm(8)), ("relu", nn.ReLU()), ("drop", nn.Dropout(0.2)), ("fc2", nn.Linear(8, 1)));

    /// <summary>Runs iterations [from, to): each draws its batch and dropout from torch's RNG, so a resume must restore it.</summary>
    private static void Run(nn.Module<Tensor, Tensor> net, optim.Optimizer sgd, long from, long to, TrainingCheckpointStore<IterationCheckpointState>? store, int every)
    {
        net.train();
        for (var it = from; it < to; it++)
        {
            using var scope = torch.NewDisposeScope();
            var lr = Schedule.Apply((TorchSharp.Modules.OptimizerHelper)sgd, it);
            var x = torch.randn(Schedule.BatchSize, 3);
            var y = x.sum(1, keepdim: true);
            var loss = nn.functional.mse_loss(net.call(x), y);
            sgd.zero_grad();
            loss.backward();
            sgd.step();
            if (store is not null && (it + 1) % every == 0)
            {
                store.Save(new IterationCheckpointState { Iteration = it + 1, Fingerprint = "tiny", Seed = 1, LearningRate = lr, Finished = it + 1 == to },
                    net, (TorchSharp.Modules.OptimizerHelper)sgd);
            }
        }
    }

    [Fact]
    public void A_run_resumed_from_its_last_checkpoint_ends_with_the_same_weights_as_an_uninterrupted_one()
    {
        torch.manual_seed(1);
        using var straight = Net();
        using var straightSgd = SgdParameterGroups.CreateSgd(straight, Schedule.BaseLearningRate);
        Run(straight, straightSgd, 0, Schedule.MaxIterations, null, 1);

        var folder = TestPaths.NewTempFolder();
        var store = new TrainingCheckpointStore<IterationCheckpointState>(folder, keep: 2);
        torch.manual_seed(1);
        using (var crashed = Net())
        using (var crashedSgd = SgdParameterGroups.CreateSgd(crashed, Schedule.BaseLearningRate))
        {
            Run(crashed, crashedSgd, 0, 5, store, every: 2);   // "crashes" after iteration 5, past the checkpoint at 4
        }

        torch.manual_seed(42);   // another process: other initial weights and RNG
        using var resumed = Net();
        using var resumedSgd = SgdParameterGroups.CreateSgd(resumed, Schedule.BaseLearningRate);
        var state = store.Resume("tiny", resumed, resumedSgd)!;
        Assert.Equal(4, state.Iteration);
        Run(resumed, resumedSgd, state.Iteration, Schedule.MaxIterations, store, every: 2);

        foreach (var ((name, a), (_, b)) in straight.named_parameters().Zip(resumed.named_parameters()))
        {
            Assert.True(Tensors.Same(a, b), name);
        }
    }

    [Fact]
    public void Resume_starts_afresh_without_checkpoints_and_refuses_a_checkpoint_of_other_options()
    {
        var folder = TestPaths.NewTempFolder();
        var store = new TrainingCheckpointStore<IterationCheckpointState>(folder);
        torch.manual_seed(1);
        using var net = Net();
        using var sgd = SgdParameterGroups.CreateSgd(net, Schedule.BaseLearningRate);
        Assert.Null(store.Resume("tiny", net, sgd));

        Run(net, sgd, 0, 2, store, every: 2);
        var e = Assert.Throws<CellSeg.Data.DataFormatException>(() => store.Resume("other options", net, sgd));
        Assert.Equal("fingerprint", e.Record);
        Assert.EndsWith("state.json", e.FilePath);
    }

    [Fact]
    public void The_store_keeps_the_newest_checkpoints_with_iteration_rng_and_optimizer_state()
    {
        var folder = TestPaths.NewTempFolder();
        var store = new TrainingCheckpointStore<IterationCheckpointState>(folder, keep: 2);
        torch.manual_seed(1);
        using var net = Net();
        using var sgd = SgdParameterGroups.CreateSgd(net, Schedule.BaseLearningRate);
        Run(net, sgd, 0, 6, store, every: 2);

        var kept = Directory.GetDirectories(folder).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["step-000000004", "step-000000006"], kept);
        var state = TrainingCheckpointStore<IterationCheckpointState>.ReadState(store.LatestFolder()!);
        Assert.Equal(6, state.Iteration);
        Assert.Equal("tiny", state.Fingerprint);
        Assert.True(state.Finished);
        Assert.False(string.IsNullOrEmpty(state.TorchRngState));
        Assert.True(new FileInfo(Path.Combine(store.LatestFolder()!, "optimizer.bin")).Length > 0);
        Assert.Empty(Directory.GetDirectories(folder, ".tmp-*"));
    }
}
