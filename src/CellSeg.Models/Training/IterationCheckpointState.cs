namespace CellSeg.Models.Training;

/// <summary>
/// The state of an iteration-based finetuning run (CenterMask) beside the weights and optimiser in a checkpoint:
/// enough to resume at <see cref="Iteration"/> and draw the same batches and random numbers as an uninterrupted run.
/// </summary>
public sealed record IterationCheckpointState : ICheckpointState<IterationCheckpointState>
{
    /// <summary>Iterations done; the resumed run starts with this iteration.</summary>
    public required long Iteration { get; init; }

    /// <summary>The options that shape the run (model, schedule, batch, data, seed); a checkpoint is only resumed by a run with the same fingerprint.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Seed of the run: with <see cref="Iteration"/> and <see cref="SamplerState"/> it fixes every later batch.</summary>
    public required long Seed { get; init; }

    /// <summary>Learning rate of the last iteration done (for the log; the schedule recomputes it from <see cref="Iteration"/>).</summary>
    public double LearningRate { get; init; }

    /// <summary>The data sampler's own state when it is more than a function of seed and step (e.g. a shuffled order), as the sampler writes it; null otherwise.</summary>
    public string? SamplerState { get; init; }

    /// <summary>The run reached its last iteration.</summary>
    public bool Finished { get; init; }

    /// <summary>torch's CPU generator state, base64 (set by the store).</summary>
    public string? TorchRngState { get; init; }

    /// <inheritdoc />
    public IterationCheckpointState WithTorchRngState(string rng) => this with { TorchRngState = rng };
}
