using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// The SAG-Mask head (spatial-attention-guided mask, centermask2's <c>SpatialAttentionMaskHead</c>):
/// [3×3 conv + ReLU] × NumConv → <see cref="SpatialAttention"/> → 2×2 stride-2 deconvolution + ReLU → 1×1 predictor,
/// one mask logit map per class.
/// </summary>
/// <remarks>
/// Input: pooled RoI features [N, InputChannels, 14, 14]; output: logits [N, NumClasses, 28, 28].
/// Submodules carry centermask2's names (<c>mask_fcn1…</c>, <c>spatialAtt.conv</c>, <c>deconv</c>, <c>predictor</c>),
/// so a checkpoint maps by prefix only (<see cref="CenterMaskRoiHeadNames"/>).
/// </remarks>
public sealed class SagMaskHead : Module<Tensor, Tensor>
{
    // Module fields carry centermask2's attribute names because RegisterComponents (which TorchSharp also runs when
    // a parent registers this head) uses field names as state-dict keys; the numbered convs are registered by hand.
    private readonly Conv2d[] _convs;
    private readonly SpatialAttention spatialAtt;
    private readonly ConvTranspose2d deconv;
    private readonly Conv2d predictor;

    /// <summary>Builds the head with centermask2's initialisation (c2_msra; predictor N(0, 0.001)).</summary>
    public SagMaskHead(SagMaskOptions options)
        : base(nameof(SagMaskHead))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _convs = new Conv2d[options.NumConv];
        for (var k = 0; k < options.NumConv; k++)
        {
            _convs[k] = Conv2d(k == 0 ? options.InputChannels : options.ConvDim, options.ConvDim, 3, padding: 1);
            register_module($"mask_fcn{k + 1}", _convs[k]);
            HeadInit.MsraFill(_convs[k].weight!, _convs[k].bias);
        }

        spatialAtt = new SpatialAttention();
        deconv = ConvTranspose2d(options.NumConv > 0 ? options.ConvDim : options.InputChannels, options.ConvDim, 2, stride: 2);
        HeadInit.MsraFill(deconv.weight!, deconv.bias);
        predictor = Conv2d(options.ConvDim, options.NumClasses, 1);
        HeadInit.Normal(predictor.weight!, predictor.bias, 0.001);
        RegisterComponents();
    }

    /// <summary>The shape this head was built with.</summary>
    public SagMaskOptions Options { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != Options.InputChannels)
        {
            throw new ArgumentException($"SAG-Mask head expects [N, {Options.InputChannels}, H, W] RoI features, got [{string.Join(", ", input.shape)}]", nameof(input));
        }

        using var scope = NewDisposeScope();
        var x = input;
        foreach (var conv in _convs)
        {
            x = functional.relu(conv.forward(x));
        }

        x = spatialAtt.forward(x);
        x = functional.relu(deconv.forward(x));
        return predictor.forward(x).MoveToOuterDisposeScope();
    }
}
