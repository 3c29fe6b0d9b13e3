using CellSeg.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Batch norm with fixed statistics and affine terms, as detectron2's <c>FrozenBatchNorm2d</c>: the
/// backbone's norm layers keep their ImageNet values while the detector is finetuned with small
/// per-GPU batches, where batch statistics would be noise.
/// </summary>
/// <remarks>
/// All four tensors are buffers (no gradients, not seen by the optimiser) named like PyTorch's
/// (<c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>) so checkpoints map one to one.
/// Initial values are detectron2's: weight 1, bias 0, mean 0, var 1 − eps, which makes a fresh layer
/// the identity.
/// </remarks>
public sealed class FrozenBatchNorm2d : nn.Module<Tensor, Tensor>
{
    /// <summary>detectron2's epsilon (<c>FrozenBatchNorm2d(num_features, eps=1e-5)</c>).</summary>
    public const double DefaultEps = 1e-5;

    /// <summary>Creates the layer for <paramref name="channels"/> channels.</summary>
    public FrozenBatchNorm2d(long channels, double eps = DefaultEps)
        : base(nameof(FrozenBatchNorm2d))
    {
        if (channels <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "A norm layer needs at least one channel.");
        }

        Channels = channels;
        Eps = eps;
        register_buffer("weight", ones(channels));
        register_buffer("bias", zeros(channels));
        register_buffer("running_mean", zeros(channels));
        register_buffer("running_var", ones(channels).Minus(eps));
    }

    /// <summary>Number of channels normalised.</summary>
    public long Channels { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>
    /// Children and parameters are registered by hand under checkpoint names; TorchSharp's reflection
    /// registration (by field name) would add duplicates under C# names when this module is a child.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var weight = get_buffer("weight")!;
        var bias = get_buffer("bias")!;
        var mean = get_buffer("running_mean")!;
        var variance = get_buffer("running_var")!;
        // One multiply-add per element: the statistics fold into a per-channel scale and shift.
        var scale = weight * variance.Plus(Eps).rsqrt();
        var shift = bias - mean * scale;
        var result = (input * scale.reshape(1, -1, 1, 1)).Plus(shift.reshape(1, -1, 1, 1));
        return result.MoveToOuterDisposeScope();
    }
}
