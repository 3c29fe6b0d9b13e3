using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// CenterMask's spatial attention (centermask2 <c>sam.py</c>): the channel mean and channel max of the RoI features,
/// stacked as two channels, go through one 3×3 convolution without bias and a sigmoid, and the result scales every
/// channel. It lets the mask head stress the cell's pixels over its neighbours' in crowded RoIs.
/// </summary>
/// <remarks>Input and output: [N, C, H, W]. The convolution is registered as <c>conv</c> (state key <c>conv.weight</c>).</remarks>
public sealed class SpatialAttention : Module<Tensor, Tensor>
{
    // Named as centermask2's attribute: RegisterComponents uses field names as state-dict keys.
    private readonly Conv2d conv;

    /// <summary>Creates the module with centermask2's c2_msra initialisation.</summary>
    public SpatialAttention()
        : base(nameof(SpatialAttention))
    {
        conv = Conv2d(2, 1, 3, padding: 1, bias: false);
        RegisterComponents();
        HeadInit.MsraFill(conv.weight!, null);
    }

    /// <summary>The attention map sigmoid(conv[mean_c, max_c]) of shape [N, 1, H, W].</summary>
    public Tensor AttentionMap(Tensor input)
    {
        using var mean = input.mean([1], keepdim: true);
        using var max = input.amax([1], keepdim: true);
        using var stacked = cat([mean, max], 1);
        using var logits = conv.forward(stacked);
        return logits.sigmoid();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var attention = AttentionMap(input);
        return input * attention;
    }
}
