namespace CellSeg.Models.Training;

/// <summary>The trainer's state beside the weights in a checkpoint.</summary>
public sealed record CheckpointState : ICheckpointState<CheckpointState>
{
    /// <summary>Iterations done.</summary>
    public required long Iteration { get; init; }

    /// <summary>The options that shape the run (architecture, network, batch, crops, iterations per epoch, seed, optimiser);
    /// a checkpoint is only resumed by a run with the same fingerprint.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Seed of the run (crops are a function of seed and iteration, so this and <see cref="Iteration"/> are the sampler's whole state).</summary>
    public required long Seed { get; init; }

    /// <summary>Learning rate in force.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Best validation F1 so far.</summary>
    public double? BestValidationF1 { get; init; }

    /// <summary>Epoch of the best F1.</summary>
    public int BestEpoch { get; init; }

    /// <summary>Epochs since the best F1.</summary>
    public int EpochsWithoutImprovement { get; init; }

    /// <summary>Sum of the losses of the current epoch's steps so far.</summary>
    public double EpochLossSum { get; init; }

    /// <summary>Finished epochs.</summary>
    public IReadOnlyList<EpochSummary> History { get; init; } = [];

    /// <summary>Training ended (all planned steps, or an early stop); a resume with more epochs continues unless it stopped early.</summary>
    public bool Finished { get; init; }

    /// <summary>It ended by early stopping.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>torch's CPU generator state, base64.</summary>
    public string? TorchRngState { get; init; }

    /// <inheritdoc />
    public CheckpointState WithTorchRngState(string rng) => this with { TorchRngState = rng };
}

/// <summary>The U-Net trainer's checkpoints: a <see cref="TrainingCheckpointStore{TState}"/> of <see cref="CheckpointState"/>.</summary>
public sealed class CheckpointStore : TrainingCheckpointStore<CheckpointState>
{
    /// <summary>A store in <paramref name="folder"/> (created on the first save).</summary>
    public CheckpointStore(string folder, int keep = 2)
        : base(folder, keep)
    {
    }
}
