namespace CellSeg.Models.Training;

/// <summary>
/// What <see cref="TrainingCheckpointStore{TState}"/> needs of a trainer's state: the step it names the checkpoint
/// after, the fingerprint that decides whether a run may resume from it, and a slot for torch's RNG state.
/// </summary>
/// <typeparam name="TSelf">The state record itself (so <see cref="WithTorchRngState"/> returns it).</typeparam>
public interface ICheckpointState<out TSelf>
{
    /// <summary>Iterations done.</summary>
    long Iteration { get; }

    /// <summary>The options that shape the run; a checkpoint is only resumed by a run with the same fingerprint.</summary>
    string Fingerprint { get; }

    /// <summary>torch's CPU generator state, base64; set by the store when it saves.</summary>
    string? TorchRngState { get; }

    /// <summary>The same state with the RNG state set (records: <c>this with { TorchRngState = rng }</c>).</summary>
    TSelf WithTorchRngState(string rng);
}
