using CellSeg.Models.Data;
using CellSeg.Models.Networks;

namespace CellSeg.Models.Training;

/// <summary>
/// Everything a training run needs. Defaults follow the paper's harness (milesial/Pytorch-UNet, spring
/// 2022: RMSprop, lr 1e-5, weight decay 1e-8, momentum 0.9, LR ×0.1 after 2 epochs without a better
/// validation F1) with LIVECell normalisation, 256-pixel crops and batch 4.
/// </summary>
public sealed record TrainOptions
{
    /// <summary>Training images.</summary>
    public required SegmentationDataset Train { get; init; }

    /// <summary>Synthetic training images (e.g. <c>GenerateSynthetic</c>'s sets), drawn as <see cref="Mixing"/> says; null: none.</summary>
    public SegmentationDataset? Synthetic { get; init; }

    /// <summary>How crops are shared between real and synthetic images (synthetic fraction, density curriculum); the default draws every image equally often.</summary>
    public SyntheticMixing Mixing { get; init; } = new();

    /// <summary>Validation images: F1 after every epoch, best model, early stopping. Null: none (the final model is kept).</summary>
    public SegmentationDataset? Validation { get; init; }

    /// <summary>One of <see cref="UNetArchitectures"/>; an ensemble trains one member per cell type of <see cref="Train"/>, one after another.</summary>
    public string Architecture { get; init; } = UNetArchitectures.UNet;

    /// <summary>Depth, width, upsampling (the deep architectures add their levels to it).</summary>
    public UNetOptions Shape { get; init; } = new();

    /// <summary>Crops, flips, rotations, normalisation.</summary>
    public AugmentationOptions Augmentation { get; init; } = new();

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Epochs to run (early stopping may end sooner).</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Iterations per epoch; null: one pass's worth, max(1, images / batch).</summary>
    public int? IterationsPerEpoch { get; init; }

    /// <summary>rmsprop, adam or sgd.</summary>
    public string Optimizer { get; init; } = "rmsprop";

    /// <summary>Initial learning rate (the paper: very small for the deep variants).</summary>
    public double LearningRate { get; init; } = 1e-5;

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-8;

    /// <summary>Momentum (RMSprop, SGD).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Epochs without a better validation F1 before the LR is multiplied by <see cref="LrDecayFactor"/>; 0: never.</summary>
    public int LrPlateauPatience { get; init; } = 2;

    /// <summary>LR factor on a plateau.</summary>
    public double LrDecayFactor { get; init; } = 0.1;

    /// <summary>Epochs without a better validation F1 before training stops; 0: never.</summary>
    public int EarlyStoppingPatience { get; init; } = 5;

    /// <summary>Gradient norm clip; null: none.</summary>
    public double? GradientClip { get; init; }

    /// <summary>Seed of the initial weights and of every crop (stored with checkpoints).</summary>
    public long Seed { get; init; }

    /// <summary>cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Torch intra-op threads; null: all processors.</summary>
    public int? Threads { get; init; }

    /// <summary>Folder for checkpoints; null: no checkpoints, no resume.</summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>Checkpoint every this many steps (and at the end of every epoch).</summary>
    public int CheckpointEvery { get; init; } = 100;

    /// <summary>Continue from the latest checkpoint in <see cref="CheckpointFolder"/> when there is one.</summary>
    public bool Resume { get; init; } = true;

    /// <summary>
    /// A model file whose weights training starts from instead of random ones (a warm start, e.g. from the current
    /// champion); its architecture, shape and normalisation must be the ones trained. Not for the ensemble.
    /// </summary>
    public string? InitialModelPath { get; init; }

    /// <summary>Where the trained model file goes (best validation F1, else the final weights).</summary>
    public required string OutputModelPath { get; init; }

    /// <summary>Batches drawn ahead on a background thread.</summary>
    public int PrefetchBatches { get; init; } = 3;

    /// <summary>Report every this many steps (epochs, checkpoints and validation are always reported).</summary>
    public int ReportEvery { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }

        Check(Train is not null && Train.Count + (Synthetic?.Count ?? 0) > 0, "train: the training set has no images");
        Check(Mixing.SyntheticFraction is null or (>= 0 and <= 1), $"syntheticFraction: must be in [0, 1], not {Mixing.SyntheticFraction}");
        Check(Mixing.DensityCurriculum is >= 0 and <= 1, $"densityCurriculum: must be in [0, 1], not {Mixing.DensityCurriculum}");
        Check(Mixing.SyntheticFraction is not > 0 || Synthetic is { Count: > 0 }, $"syntheticFraction: {Mixing.SyntheticFraction} asks for synthetic crops but there are no synthetic images");
        Check(Mixing.SyntheticFraction is not < 1 || Train!.Count > 0, $"syntheticFraction: {Mixing.SyntheticFraction} asks for real crops but there are no real images");
        Check(UNetArchitectures.All.Contains(Architecture), $"architecture: unknown '{Architecture}' (known: {string.Join(", ", UNetArchitectures.All)})");
        Check(BatchSize >= 1, $"batchSize: must be ≥ 1, not {BatchSize}");
        Check(Epochs >= 1, $"epochs: must be ≥ 1, not {Epochs}");
        Check(IterationsPerEpoch is null or >= 1, $"iterationsPerEpoch: must be ≥ 1, not {IterationsPerEpoch}");
        Check(Optimizer is "rmsprop" or "adam" or "sgd", $"optimizer: expected rmsprop, adam or sgd, not '{Optimizer}'");
        Check(LearningRate > 0, $"learningRate: must be > 0, not {LearningRate}");
        Check(CheckpointEvery >= 1, $"checkpointEvery: must be ≥ 1, not {CheckpointEvery}");
        Check(Augmentation.CropSize % (1 << UNetArchitectures.OptionsFor(Architecture, Shape).TotalDepth) == 0,
            $"augmentation.cropSize: {Augmentation.CropSize} must be a multiple of 2^depth = {1 << UNetArchitectures.OptionsFor(Architecture, Shape).TotalDepth}");
        Check(!string.IsNullOrWhiteSpace(OutputModelPath), "outputModelPath: required");
        Check(Shape.Classes == 1, "shape.classes: the trainer trains one foreground class (BCE + Dice)");
        if (Architecture == UNetArchitectures.DeepUNetEnsemble)
        {
            Check(Train!.CellTypes.Count > 0, "train: an ensemble needs images whose names give their cell type");
            if (Mixing.SyntheticFraction is { } fraction)
            {
                // Each member mixes its own cell type's images: checked here, before the first member trains.
                foreach (var type in Train.CellTypes.Union(Synthetic?.CellTypes ?? []))
                {
                    var hasReal = Train.OfCellType(type).Count > 0;
                    var hasSynthetic = Synthetic?.OfCellType(type).Count > 0;
                    Check((fraction == 0 || hasSynthetic) && (fraction == 1 || hasReal),
                        $"syntheticFraction: {fraction} needs real and synthetic images of every ensemble member's cell type; {type} has no {(hasReal ? "synthetic" : "real")} images");
                }
            }
        }
    }
}
