namespace CellSeg.Models.Training;

/// <summary>What a progress report is about.</summary>
public enum TrainEvent
{
    /// <summary>A training iteration finished.</summary>
    Iteration,

    /// <summary>An epoch finished (with its validation F1 when there is a validation set).</summary>
    Epoch,

    /// <summary>A checkpoint was written.</summary>
    Checkpoint,

    /// <summary>Training continued from a checkpoint (<see cref="TrainProgress.Iteration"/> is its iteration).</summary>
    Resumed,

    /// <summary>Training stopped early: validation F1 did not improve for the patience.</summary>
    EarlyStop,

    /// <summary>An ensemble member starts or was already trained (<see cref="TrainProgress.Member"/>).</summary>
    Member,
}

/// <summary>One progress report; an activity records these as metrics.</summary>
/// <param name="Event">What happened.</param>
/// <param name="Iteration">Iterations done (of this network).</param>
/// <param name="TotalIterations">Iterations planned.</param>
/// <param name="Epoch">Epoch (from 1) the iteration belongs to.</param>
/// <param name="Loss">The iteration's loss (Iteration) or the epoch's mean loss (Epoch).</param>
/// <param name="ValidationF1">Pooled validation F1 (Epoch, with a validation set).</param>
/// <param name="ImagesPerSecond">Training throughput over the last report interval, data loading included.</param>
/// <param name="LearningRate">Current learning rate.</param>
/// <param name="Member">Cell type of the ensemble member being trained, or null.</param>
public sealed record TrainProgress(TrainEvent Event, long Iteration, long TotalIterations, int Epoch, double Loss, double? ValidationF1,
    double ImagesPerSecond, double LearningRate, string? Member = null);

/// <summary>One epoch's summary.</summary>
/// <param name="Epoch">From 1.</param>
/// <param name="Iteration">Iterations done at its end.</param>
/// <param name="MeanLoss">Mean training loss over its iterations.</param>
/// <param name="ValidationF1">Pooled validation F1, or null.</param>
/// <param name="LearningRate">LR in force during it.</param>
public sealed record EpochSummary(int Epoch, long Iteration, double MeanLoss, double? ValidationF1, double LearningRate);

/// <summary>The outcome of training one network (or, for an ensemble, each member).</summary>
/// <param name="ModelPath">The model file written.</param>
/// <param name="Iterations">Iterations done.</param>
/// <param name="BestValidationF1">Best validation F1, or null without validation.</param>
/// <param name="BestEpoch">Epoch of the best F1 (of the last epoch without validation).</param>
/// <param name="StoppedEarly">Early stopping ended it.</param>
/// <param name="ResumedFromIteration">Iteration of the checkpoint it continued from; 0 when it started afresh.</param>
/// <param name="History">Every epoch, including those before a resume.</param>
/// <param name="Members">Per cell type, for an ensemble; empty otherwise.</param>
public sealed record TrainResult(string ModelPath, long Iterations, double? BestValidationF1, int BestEpoch, bool StoppedEarly, long ResumedFromIteration,
    IReadOnlyList<EpochSummary> History, IReadOnlyDictionary<string, TrainResult> Members);
