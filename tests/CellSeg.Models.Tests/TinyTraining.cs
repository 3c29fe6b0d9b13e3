using CellSeg.Models.Data;
using CellSeg.Models.Networks;
using CellSeg.Models.Training;

namespace CellSeg.Models.Tests;

/// <summary>The tiny training run shared by the resume tests and the child process they kill.</summary>
internal static class TinyTraining
{
    /// <summary>Total iterations of the run.</summary>
    public const int Iterations = 24;

    /// <summary>Iterations between checkpoints.</summary>
    public const int CheckpointEvery = 4;

    public static TrainOptions Options(SegmentationDataset data, string? checkpoints, string output) => new()
    {
        Train = data,
        Architecture = UNetArchitectures.UNet,
        Shape = new UNetOptions { Depth = 2, BaseChannels = 4 },
        Augmentation = new AugmentationOptions { CropSize = 32 },
        BatchSize = 2,
        IterationsPerEpoch = Iterations,
        Epochs = 1,
        Optimizer = "rmsprop",
        LearningRate = 1e-3,
        Seed = 11,
        Threads = 1,
        CheckpointFolder = checkpoints,
        CheckpointEvery = CheckpointEvery,
        OutputModelPath = output,
        PrefetchBatches = 2,
    };
}
