using CellSeg.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// The named layer lists of centermask2's <c>vovnet.py</c> (<c>conv3x3</c>, <c>conv1x1</c>,
/// <c>dw_conv3x3</c>). The names (<c>stem_1/conv</c>, <c>OSA2_1_0/dw_conv3x3</c>, …) are kept verbatim
/// because they are the checkpoint keys of the published weights.
/// </summary>
internal static class VoVNetLayers
{
    /// <summary>conv k×k (no bias) → FrozenBN → ReLU, named <c>{module}_{postfix}/conv|norm|relu</c>.</summary>
    public static (string, Module<Tensor, Tensor>)[] Conv(long inChannels, long outChannels, string module, string postfix, long kernel, long stride = 1) =>
        [
            ($"{module}_{postfix}/conv", Conv2d(inChannels, outChannels, kernel, stride: stride, padding: kernel / 2, bias: false)),
            ($"{module}_{postfix}/norm", new FrozenBatchNorm2d(outChannels)),
            ($"{module}_{postfix}/relu", ReLU(inplace: true)),
        ];

    /// <summary>
    /// Depthwise 3×3 (groups = channels, no bias, and no norm or activation after it, as in centermask2),
    /// then pointwise 1×1 (no bias) → FrozenBN → ReLU.
    /// </summary>
    public static (string, Module<Tensor, Tensor>)[] DepthwiseConv(long inChannels, long outChannels, string module, string postfix, long stride = 1) =>
        [
            ($"{module}_{postfix}/dw_conv3x3", Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, groups: outChannels, bias: false)),
            ($"{module}_{postfix}/pw_conv1x1", Conv2d(inChannels, outChannels, 1, bias: false)),
            ($"{module}_{postfix}/pw_norm", new FrozenBatchNorm2d(outChannels)),
            ($"{module}_{postfix}/pw_relu", ReLU(inplace: true)),
        ];
}

/// <summary>
/// Effective squeeze-excitation (VoVNetV2): global average → one 1×1 conv C→C with bias (no channel
/// reduction) → hard sigmoid relu6(x+3)/6 → channel-wise scale of the input.
/// </summary>
internal sealed class EseModule : Module<Tensor, Tensor>
{
    private readonly Conv2d fc;

    public EseModule(long channels)
        : base(nameof(EseModule))
    {
        fc = Conv2d(channels, channels, 1);
        register_module("fc", fc);
    }

    /// <summary>
    /// Children and parameters are registered by hand under checkpoint names; TorchSharp's reflection
    /// registration (by field name) would add duplicates under C# names when this module is a child.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pooled = input.mean([2L, 3L], keepdim: true);
        var gate = functional.relu6(fc.forward(pooled).Plus(3.0)).Over(6.0);
        return (input * gate).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// One-shot aggregation module: the input and every 3×3 layer's output are concatenated once, a 1×1
/// conv maps the concatenation to <c>concat_ch</c>, then eSE; a residual is added only when
/// <c>identity</c> (the 2nd and later blocks of a stage).
/// </summary>
internal sealed class OsaModule : Module<Tensor, Tensor>
{
    private readonly Sequential? reduction;
    private readonly ModuleList<Module<Tensor, Tensor>> layers;
    private readonly Sequential concat;
    private readonly EseModule ese;
    private readonly bool identity;

    public OsaModule(long inChannels, long stageChannels, long concatChannels, int layersPerBlock, string moduleName, bool identity, bool depthwise)
        : base(nameof(OsaModule))
    {
        this.identity = identity;
        var layerIn = inChannels;
        if (depthwise && inChannels != stageChannels)
        {
            // Depthwise layers keep their width, so a 1×1 conv first brings the input to the stage width.
            reduction = Sequential(VoVNetLayers.Conv(inChannels, stageChannels, $"{moduleName}_reduction", "0", 1));
            register_module("conv_reduction", reduction);
            layerIn = stageChannels;
        }
        else if (depthwise)
        {
            layerIn = stageChannels;
        }

        layers = new ModuleList<Module<Tensor, Tensor>>();
        for (var i = 0; i < layersPerBlock; i++)
        {
            var postfix = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            layers.Add(Sequential(depthwise
                ? VoVNetLayers.DepthwiseConv(stageChannels, stageChannels, moduleName, postfix)
                : VoVNetLayers.Conv(layerIn, stageChannels, moduleName, postfix, 3)));
            layerIn = stageChannels;
        }

        register_module("layers", layers);
        // The concatenation holds the block's *original* input, so its width is in + layers · stage.
        concat = Sequential(VoVNetLayers.Conv(inChannels + layersPerBlock * stageChannels, concatChannels, moduleName, "concat", 1));
        register_module("concat", concat);
        ese = new EseModule(concatChannels);
        register_module("ese", ese);
    }

    /// <summary>
    /// Children and parameters are registered by hand under checkpoint names; TorchSharp's reflection
    /// registration (by field name) would add duplicates under C# names when this module is a child.
    /// </summary>
    protected override void RegisterComponents()
    {
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>(layers.Count + 1) { input };
        var x = reduction is null ? input : reduction.forward(input);
        foreach (var layer in layers)
        {
            x = layer.forward(x);
            outputs.Add(x);
        }

        var y = ese.forward(concat.forward(cat(outputs, 1)));
        if (identity)
        {
            y = y.Plus(input);
        }

        return y.MoveToOuterDisposeScope();
    }
}
