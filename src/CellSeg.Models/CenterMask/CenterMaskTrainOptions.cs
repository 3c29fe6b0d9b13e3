using CellSeg.Models.Training;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Everything a CenterMask finetuning run needs: data, network, solver, pretrained weights and checkpoints.
/// Solver defaults are the paper's preset (<see cref="WarmupMultiStepSchedule.Paper"/>, momentum 0.9, weight decay 1e-4).
/// </summary>
public sealed record CenterMaskTrainOptions
{
    /// <summary>The training set: a COCO file (polygons per cell) and its image folder (flat or LIVECell's per-cell-type sub-folders).</summary>
    public required CocoImageSet Train { get; init; }

    /// <summary>More sets trained on together with <see cref="Train"/> (e.g. synthetic images); they must share its categories.</summary>
    public IReadOnlyList<CocoImageSet> ExtraSets { get; init; } = [];

    /// <summary>Only images of these LIVECell cell types (null: all).</summary>
    public IReadOnlyList<string>? CellTypes { get; init; }

    /// <summary>The network, its input preparation (resize choices, flips) and its inference thresholds.</summary>
    public CenterMaskConfig Model { get; init; } = new();

    /// <summary>Batch, base LR, iterations, warm-up (iterations, start factor), steps and gamma.</summary>
    public WarmupMultiStepSchedule Schedule { get; init; } = WarmupMultiStepSchedule.Paper;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = SgdParameterGroups.DefaultMomentum;

    /// <summary>Weight decay of every parameter but the norms' (which get none).</summary>
    public double WeightDecay { get; init; } = SgdParameterGroups.DefaultWeightDecay;

    /// <summary>
    /// Clip the global gradient norm to this before each step (detectron2's SOLVER.CLIP_GRADIENTS, type "norm"); null:
    /// no clipping, detectron2's default. Neither finetuning nor training from scratch needs it (see
    /// <see cref="MaskIouHead"/>'s initialisation, which once made training from scratch diverge without it).
    /// </summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>
    /// A PyTorch checkpoint with centermask2's key names (COCO CenterMask, ImageNet VoVNet, the LIVECell authors'
    /// models) to start from; loaded leniently: tensors whose shapes differ (the class-count-specific predictors) and
    /// those absent are reported in <see cref="CenterMaskTrainResult.Pretrained"/> and keep their initial values.
    /// </summary>
    public string? PretrainedWeights { get; init; }

    /// <summary>Folder of the run's checkpoints (null: none).</summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>A checkpoint every this many iterations.</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>Continue from the newest checkpoint in <see cref="CheckpointFolder"/> when there is one.</summary>
    public bool Resume { get; init; } = true;

    /// <summary>Where the trained model file is written.</summary>
    public required string OutputModelPath { get; init; }

    /// <summary>Seed of the initial weights, the batch order, the augmentation and the RoI sampling.</summary>
    public long Seed { get; init; }

    /// <summary>cpu, cuda, cuda:N or auto.</summary>
    public string? Device { get; init; } = "cpu";

    /// <summary>Torch CPU threads (null: all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value out of range, naming the option.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Train);
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputModelPath);
        Schedule.Validate();
        if (CheckpointEvery < 1)
        {
            throw new ArgumentException($"{nameof(CheckpointEvery)} must be at least 1, got {CheckpointEvery}");
        }

        if (GradientClipNorm is { } clip && !(clip > 0))
        {
            throw new ArgumentException($"{nameof(GradientClipNorm)} must be positive, got {clip}");
        }

        if (Momentum < 0 || WeightDecay < 0)
        {
            throw new ArgumentException($"{nameof(Momentum)} and {nameof(WeightDecay)} must not be negative ({Momentum}, {WeightDecay})");
        }
    }
}
