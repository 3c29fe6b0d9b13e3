using CellSeg.Data;
using CellSeg.Models.Data;
using CellSeg.Models.Networks;
using CellSeg.Models.Training;
using TorchSharp;

namespace CellSeg.Models.Tests;

/// <summary>Training from a given model's weights (a warm start from the champion) instead of random ones.</summary>
public sealed class WarmStartTests
{
    private static bool ParametersClose(torch.nn.Module a, torch.nn.Module b, double tolerance)
    {
        var pa = a.named_parameters().ToList();
        var pb = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        return pa.Count == pb.Count && pa.All(p => pb.TryGetValue(p.name, out var other) && p.parameter.allclose(other, rtol: tolerance, atol: tolerance));
    }

    [Fact]
    public async Task A_warm_start_begins_at_the_initial_weights_and_a_different_network_is_refused_by_name()
    {
        var data = new SegmentationDataset((await TestData.Val()).Samples.Take(2).ToList());
        var folder = TestPaths.NewTempFolder();
        TrainOptions Options(string output) => TinyTraining.Options(data, null, Path.Combine(folder, output)) with { IterationsPerEpoch = 3, Epochs = 1 };

        var champion = await UNetTrainer.TrainAsync(Options("champion.model"));

        // A learning rate too small to move anything: the weights stay the champion's, not a fresh seed's.
        var still = await UNetTrainer.TrainAsync(Options("still.model") with { InitialModelPath = champion.ModelPath, LearningRate = 1e-12, Seed = 99 });
        var fresh = await UNetTrainer.TrainAsync(Options("fresh.model") with { LearningRate = 1e-12, Seed = 99 });
        using (var c = SegmentationModel.Load(champion.ModelPath))
        using (var s = SegmentationModel.Load(still.ModelPath))
        using (var f = SegmentationModel.Load(fresh.ModelPath))
        {
            Assert.True(ParametersClose(c.Network, s.Network, 1e-6));
            Assert.False(ParametersClose(c.Network, f.Network, 1e-3));
        }

        // And it trains on from there like any run.
        var warm = await UNetTrainer.TrainAsync(Options("warm.model") with { InitialModelPath = champion.ModelPath });
        Assert.Equal(3, warm.Iterations);

        var other = Assert.Throws<DataFormatException>(() =>
            UNetTrainer.TrainAsync(Options("other.model") with { InitialModelPath = champion.ModelPath, Shape = new UNetOptions { Depth = 2, BaseChannels = 8 } }).GetAwaiter().GetResult());
        Assert.Contains("the initial model is a unet (base 4, depth 2, ", other.Message, StringComparison.Ordinal);
        Assert.Contains("but this training is a unet (base 8, depth 2, ", other.Message, StringComparison.Ordinal);
        Assert.Contains("champion.model", other.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<ArgumentException>(() =>
            UNetTrainer.TrainAsync(Options("ensemble.model") with { InitialModelPath = champion.ModelPath, Architecture = UNetArchitectures.DeepUNetEnsemble }));
    }
}
