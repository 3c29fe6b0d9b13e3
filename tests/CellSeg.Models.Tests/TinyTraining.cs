using CellSeg.Models.Data;
using CellSeg.Models.Networks;
using CellSeg.Models.Training;

namespace CellSeg.Models.Tests;

/// <summary>The tiny training run shared by the resume tests and the child process they kill.</summary>
internal static class TinyTraining
{
    /// <summary>Total steps of the run.</summary>
    public const int Steps = 24;

    /// <summary>Steps between checkpoints.</summary>
    public const int CheckpointEvery = 4;

    public static TrainOptions Options(SegmentationDataset data, string? checkpoints, string output) => new()
    {
        Train = data,
        Variant = ModelVariants.UNet,
        Shape = new UNetOptions { Depth = 2, BaseChannels = 4 },
        Augmentation = new AugmentationOptions { CropSize = 32 },
        BatchSize = 2,
        StepsPerEpoch = Steps,
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
