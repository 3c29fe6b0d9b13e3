using System.Globalization;
using CellSeg.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// Feature pyramid P3–P7 over the backbone's stage3–5 (detectron2 <c>FPN</c> with centermask2's
/// <c>LastLevelP6P7</c> from P5): lateral 1×1 convs, a nearest top-down path summed into each
/// lateral, 3×3 output convs, then p6 = conv3×3 s2(P5) and p7 = conv3×3 s2(relu(p6)).
/// </summary>
/// <remarks>
/// Tensor contract: input [C3, C4, C5] at strides 8/16/32; output [P3, P4, P5, P6, P7], each
/// [N, <see cref="OutChannels"/>, ·, ·] at strides 8/16/32/64/128. Child names are detectron2's
/// (<c>fpn_lateral3</c>, <c>fpn_output3</c>, …, <c>top_block.p6</c>); inside a CenterMask model they
/// sit directly under <c>backbone.</c> (see <see cref="CenterMaskParameterNames"/>). No norm (FPN.NORM ""),
/// so every conv has a bias; all convs use c2_xavier init (kaiming-uniform, a = 1, bias 0).
/// Deviation: detectron2 upsamples the coarser level by exactly ×2, which needs inputs padded to a
/// multiple of 32; here the nearest upsampling goes to the lateral's own size, identical for padded
/// inputs and still defined for odd sizes (tests, unpadded inference).
/// </remarks>
public sealed class Fpn : Module<Tensor[], Tensor[]>
{
    private readonly Conv2d[] laterals;
    private readonly Conv2d[] outputs;
    private readonly LastLevelP6P7 topBlock;

    /// <summary>Builds the pyramid for inputs of <paramref name="inChannels"/> (stage3, stage4, stage5).</summary>
    /// <param name="inChannels">Channels of stage3, stage4 and stage5.</param>
    /// <param name="outChannels">Channels of every level: 128 for the slim Lite config, 256 otherwise.</param>
    public Fpn(IReadOnlyList<int> inChannels, long outChannels)
        : base(nameof(Fpn))
    {
        ArgumentNullException.ThrowIfNull(inChannels);
        if (inChannels.Count != 3)
        {
            throw new ArgumentException("The FPN takes exactly three inputs (stage3, stage4, stage5).", nameof(inChannels));
        }

        OutChannels = outChannels;
        laterals = new Conv2d[3];
        outputs = new Conv2d[3];
        for (var i = 0; i < 3; i++)
        {
            var level = (i + 3).ToString(CultureInfo.InvariantCulture);
            laterals[i] = Conv2d(inChannels[i], outChannels, 1);
            outputs[i] = Conv2d(outChannels, outChannels, 3, padding: 1);
            C2XavierFill(laterals[i]);
            C2XavierFill(outputs[i]);
            register_module("fpn_lateral" + level, laterals[i]);
            register_module("fpn_output" + level, outputs[i]);
        }

        topBlock = new LastLevelP6P7(outChannels, outChannels);
        register_module("top_block", topBlock);
    }

    /// <summary>Channels of every pyramid level.</summary>
    public long OutChannels { get; }

    /// <summary>Strides of P3–P7.</summary>
    public static IReadOnlyList<int> Strides { get; } = [8, 16, 32, 64, 128];

    /// <summary>
    /// Children and parameters are registered by hand under checkpoint names; TorchSharp's reflection
    /// registration (by field name) would add duplicates under C# names when this module is a child.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>Returns [P3, P4, P5, P6, P7].</summary>
    public override Tensor[] forward(Tensor[] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Length != 3)
        {
            throw new ArgumentException("The FPN takes exactly three feature maps (stage3, stage4, stage5).", nameof(features));
        }

        using var scope = NewDisposeScope();
        var results = new Tensor[5];
        var previous = laterals[2].forward(features[2]);
        results[2] = outputs[2].forward(previous);
        for (var i = 1; i >= 0; i--)
        {
            var lateral = laterals[i].forward(features[i]);
            var topDown = functional.interpolate(previous, size: [lateral.shape[2], lateral.shape[3]], mode: InterpolationMode.Nearest);
            previous = lateral.Plus(topDown);
            results[i] = outputs[i].forward(previous);
        }

        var (p6, p7) = topBlock.forward(results[2]);
        results[3] = p6;
        results[4] = p7;
        return results.Select(r => r.MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>Caffe2's "XavierFill" as detectron2 applies it: kaiming-uniform with a = 1, bias 0.</summary>
    internal static void C2XavierFill(Conv2d conv)
    {
        using var noGrad = no_grad();
        init.kaiming_uniform_(conv.weight!, a: 1);
        if (conv.bias is not null)
        {
            init.constant_(conv.bias, Scalars.Zero);
        }
    }
}

/// <summary>FCOS's extra levels: p6 = conv3×3 s2(P5), p7 = conv3×3 s2(relu(p6)).</summary>
public sealed class LastLevelP6P7 : Module<Tensor, (Tensor P6, Tensor P7)>
{
    private readonly Conv2d p6;
    private readonly Conv2d p7;

    /// <summary>Builds both convs (c2_xavier init).</summary>
    public LastLevelP6P7(long inChannels, long outChannels)
        : base(nameof(LastLevelP6P7))
    {
        p6 = Conv2d(inChannels, outChannels, 3, stride: 2, padding: 1);
        p7 = Conv2d(outChannels, outChannels, 3, stride: 2, padding: 1);
        Fpn.C2XavierFill(p6);
        Fpn.C2XavierFill(p7);
        register_module("p6", p6);
        register_module("p7", p7);
    }

    /// <summary>
    /// Children and parameters are registered by hand under checkpoint names; TorchSharp's reflection
    /// registration (by field name) would add duplicates under C# names when this module is a child.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <inheritdoc />
    public override (Tensor P6, Tensor P7) forward(Tensor p5)
    {
        using var scope = NewDisposeScope();
        var x6 = p6.forward(p5);
        var x7 = p7.forward(functional.relu(x6));
        return (x6.MoveToOuterDisposeScope(), x7.MoveToOuterDisposeScope());
    }
}
