using CellSeg.Models.Weights;

namespace CellSeg.Models.CenterMask;

/// <summary>What a CenterMask training report is about.</summary>
public enum CenterMaskTrainEvent
{
    /// <summary>An iteration finished.</summary>
    Iteration,

    /// <summary>A checkpoint was written.</summary>
    Checkpoint,

    /// <summary>The run continued from a checkpoint (<see cref="CenterMaskTrainProgress.Iteration"/> is its iteration).</summary>
    Resumed,
}

/// <summary>One progress report; an activity records the losses and the LR as step metrics.</summary>
/// <param name="Event">What happened.</param>
/// <param name="Iteration">Iterations done.</param>
/// <param name="MaxIterations">Iterations planned.</param>
/// <param name="Losses">The iteration's loss components by centermask2 name (<see cref="CenterMaskLosses.Names"/>); empty for other events.</param>
/// <param name="TotalLoss">Their sum.</param>
/// <param name="LearningRate">The rate the iteration used.</param>
/// <param name="ImagesPerSecond">Throughput of the iteration, data preparation included.</param>
public sealed record CenterMaskTrainProgress(
    CenterMaskTrainEvent Event,
    long Iteration,
    long MaxIterations,
    IReadOnlyDictionary<string, double> Losses,
    double TotalLoss,
    double LearningRate,
    double ImagesPerSecond);

/// <summary>The outcome of a CenterMask finetuning run.</summary>
/// <param name="ModelPath">The model file written.</param>
/// <param name="Iterations">Iterations done in all (including those before a resume).</param>
/// <param name="ResumedFromIteration">The checkpoint's iteration the run continued from (0: a fresh start).</param>
/// <param name="TrainImages">Images trained on.</param>
/// <param name="Pretrained">What the pretrained checkpoint gave (null: none given).</param>
/// <param name="LastLosses">The last iteration's loss components (empty when no iteration ran in this process).</param>
public sealed record CenterMaskTrainResult(
    string ModelPath,
    long Iterations,
    long ResumedFromIteration,
    int TrainImages,
    WeightLoadReport? Pretrained,
    IReadOnlyDictionary<string, double> LastLosses);
