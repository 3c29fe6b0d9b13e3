namespace CellSeg.Models.Training;

/// <summary>What a progress report is about.</summary>
public enum TrainEvent
{
    /// <summary>A training step finished.</summary>
    Step,

    /// <summary>An epoch finished (with its validation Dice when there is a validation set).</summary>
    Epoch,

    /// <summary>A checkpoint was written.</summary>
    Checkpoint,

    /// <summary>Training continued from a checkpoint (<see cref="TrainProgress.Step"/> is its step).</summary>
    Resumed,

    /// <summary>Training stopped early: validation Dice did not improve for the patience.</summary>
    EarlyStop,

    /// <summary>An ensemble member starts or was already trained (<see cref="TrainProgress.Member"/>).</summary>
    Member,
}

/// <summary>One progress report; an activity records these as metrics.</summary>
/// <param name="Event">What happened.</param>
/// <param name="Step">Steps done (of this network).</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Epoch">Epoch (from 1) the step belongs to.</param>
/// <param name="Loss">The step's loss (Step) or the epoch's mean loss (Epoch).</param>
/// <param name="ValidationDice">Pooled validation Dice (Epoch, with a validation set).</param>
/// <param name="ImagesPerSecond">Training throughput over the last report interval, data loading included.</param>
/// <param name="LearningRate">Current learning rate.</param>
/// <param name="Member">Cell type of the ensemble member being trained, or null.</param>
public sealed record TrainProgress(TrainEvent Event, long Step, long TotalSteps, int Epoch, double Loss, double? ValidationDice,
    double ImagesPerSecond, double LearningRate, string? Member = null);

/// <summary>One epoch's summary.</summary>
/// <param name="Epoch">From 1.</param>
/// <param name="Step">Steps done at its end.</param>
/// <param name="MeanLoss">Mean training loss over its steps.</param>
/// <param name="ValidationDice">Pooled validation Dice, or null.</param>
/// <param name="LearningRate">LR in force during it.</param>
public sealed record EpochSummary(int Epoch, long Step, double MeanLoss, double? ValidationDice, double LearningRate);

/// <summary>The outcome of training one network (or, for an ensemble, each member).</summary>
/// <param name="ModelPath">The model file written.</param>
/// <param name="Steps">Steps done.</param>
/// <param name="BestValidationDice">Best validation Dice, or null without validation.</param>
/// <param name="BestEpoch">Epoch of the best Dice (of the last epoch without validation).</param>
/// <param name="StoppedEarly">Early stopping ended it.</param>
/// <param name="ResumedFromStep">Step of the checkpoint it continued from; 0 when it started afresh.</param>
/// <param name="History">Every epoch, including those before a resume.</param>
/// <param name="Members">Per cell type, for an ensemble; empty otherwise.</param>
public sealed record TrainResult(string ModelPath, long Steps, double? BestValidationDice, int BestEpoch, bool StoppedEarly, long ResumedFromStep,
    IReadOnlyList<EpochSummary> History, IReadOnlyDictionary<string, TrainResult> Members);
