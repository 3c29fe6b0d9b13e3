using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// VoVNetV2 backbone (centermask2's <c>VoVNet</c>): a stride-4 stem, then four stages of OSA modules;
/// stages 3–5 open with a 3×3 stride-2 max pool (ceil mode). It returns stage3, stage4 and stage5 at
/// strides 8, 16 and 32, the inputs of the FPN.
/// </summary>
/// <remarks>
/// Tensor contract: input [N, 3, H, W] float (normalised image); output three tensors
/// [N, <see cref="VoVNetSpec.OutFeatureChannels"/>[i], ⌈H/8⌉-ish, …] (exactly H/8, H/16, H/32 when H and W
/// are multiples of 32, which <see cref="CenterMaskInput"/> guarantees). Submodule names are
/// centermask2's (<c>stem</c>, <c>stage2</c>…<c>stage5</c>, <c>OSA3_1</c>, …). All norms are
/// <see cref="FrozenBatchNorm2d"/> (centermask2's <c>MODEL.VOVNET.NORM</c> default) and every stage
/// stays trainable (<c>FREEZE_AT: 0</c> in the CenterMask configs).
/// </remarks>
public sealed class VoVNet : Module<Tensor, Tensor[]>
{
    private readonly Sequential stem;
    private readonly Sequential[] stages;

    /// <summary>Builds the backbone for <paramref name="spec"/> with <paramref name="inChannels"/> input channels.</summary>
    public VoVNet(VoVNetSpec spec, long inChannels = 3)
        : base(nameof(VoVNet))
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        var stemCh = spec.StemChannels;
        // The 2nd and 3rd stem convs follow the block type (depthwise or plain), as in centermask2.
        var stemLayers = new List<(string, Module<Tensor, Tensor>)>(VoVNetLayers.Conv(inChannels, stemCh[0], "stem", "1", 3, stride: 2));
        if (spec.Depthwise)
        {
            stemLayers.AddRange(VoVNetLayers.DepthwiseConv(stemCh[0], stemCh[1], "stem", "2"));
            stemLayers.AddRange(VoVNetLayers.DepthwiseConv(stemCh[1], stemCh[2], "stem", "3", stride: 2));
        }
        else
        {
            stemLayers.AddRange(VoVNetLayers.Conv(stemCh[0], stemCh[1], "stem", "2", 3));
            stemLayers.AddRange(VoVNetLayers.Conv(stemCh[1], stemCh[2], "stem", "3", 3, stride: 2));
        }

        stem = Sequential(stemLayers.ToArray());
        register_module("stem", stem);

        stages = new Sequential[4];
        long stageIn = stemCh[2];
        for (var i = 0; i < 4; i++)
        {
            var number = i + 2;
            var blocks = new List<(string, Module<Tensor, Tensor>)>();
            if (number != 2)
            {
                blocks.Add(("Pooling", MaxPool2d(3, stride: 2, ceil_mode: true)));
            }

            for (var b = 0; b < spec.BlocksPerStage[i]; b++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"OSA{number}_{b + 1}");
                var blockIn = b == 0 ? stageIn : spec.StageOutChannels[i];
                blocks.Add((name, new OsaModule(blockIn, spec.StageConvChannels[i], spec.StageOutChannels[i], spec.LayersPerBlock, name, identity: b > 0, spec.Depthwise)));
            }

            stages[i] = Sequential(blocks.ToArray());
            register_module(string.Create(CultureInfo.InvariantCulture, $"stage{number}"), stages[i]);
            stageIn = spec.StageOutChannels[i];
        }

        // centermask2 initialises every conv weight with kaiming_normal_ (fan-in, gain √2); biases keep
        // PyTorch's default. Pretrained weights normally replace all of it.
        using (no_grad())
        {
            foreach (var module in modules())
            {
                if (module is Conv2d conv)
                {
                    init.kaiming_normal_(conv.weight!);
                }
            }
        }
    }

    /// <summary>The spec this backbone was built from.</summary>
    public VoVNetSpec Spec { get; }

    /// <summary>Strides of the three outputs.</summary>
    public static IReadOnlyList<int> OutStrides { get; } = [8, 16, 32];

    /// <summary>
    /// Children and parameters are registered by hand under checkpoint names; TorchSharp's reflection
    /// registration (by field name) would add duplicates under C# names when this module is a child.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>Returns [stage3, stage4, stage5].</summary>
    public override Tensor[] forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = stem.forward(input);
        x = stages[0].forward(x);
        var c3 = stages[1].forward(x);
        var c4 = stages[2].forward(c3);
        var c5 = stages[3].forward(c4);
        return [c3.MoveToOuterDisposeScope(), c4.MoveToOuterDisposeScope(), c5.MoveToOuterDisposeScope()];
    }
}
