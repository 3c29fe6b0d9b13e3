using CellSeg.Models.Torch;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.Training;

/// <summary>The training loss: BCE with logits plus (1 − soft Dice), Dice pooled over the batch (milesial's <c>reduce_batch_first</c>).</summary>
public static class SegmentationLoss
{
    /// <summary>Loss of logits against 0/1 targets of the same shape.</summary>
    public static Tensor BceDice(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var bce = functional.binary_cross_entropy_with_logits(logits, targets);
        var p = sigmoid(logits);
        var intersection = (p * targets).sum();
        var denominator = p.sum().Plus(targets.sum());
        const double eps = 1e-6;
        var dice = intersection.Times(2).Plus(eps) / denominator.Plus(eps);
        return bce.Plus(dice.Subtracted(1)).MoveToOuterDisposeScope();
    }
}
