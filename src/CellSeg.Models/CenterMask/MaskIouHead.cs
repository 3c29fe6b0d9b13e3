using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// The MaskIoU head (Mask Scoring R-CNN, as centermask2's <c>MaskIoUHead</c>): predicts each mask's IoU with its
/// cell so that a detection's mask score is its box score times how good its mask is likely to be.
/// </summary>
/// <remarks>
/// Inputs: pooled RoI features [N, InputChannels, R, R] (R = 14) and the predicted mask probability of the chosen
/// class [N, 1, 2R, 2R]; the mask is max-pooled 2× and concatenated as one more channel. Then
/// [3×3 conv + ReLU] × NumConv (the last with stride 2, → R/2), FC 1024 + ReLU, FC 1024 + ReLU, FC NumClasses.
/// Output: [N, NumClasses]. Names follow centermask2 (<c>maskiou_fcn1…</c>, <c>maskiou_fc1</c>, <c>maskiou_fc2</c>,
/// <c>maskiou</c>).
/// </remarks>
public sealed class MaskIouHead : Module<Tensor, Tensor, Tensor>
{
    // Field names are centermask2's attribute names: RegisterComponents (also run when a parent registers this
    // head) uses them as state-dict keys; the numbered convs are registered by hand.
    private readonly Conv2d[] _convs;
    private readonly Linear maskiou_fc1;
    private readonly Linear maskiou_fc2;
    private readonly Linear maskiou;

    /// <summary>
    /// Builds the head with torch's default initialisation (<see cref="HeadInit.TorchDefault"/>) on every layer, not
    /// centermask2's (He normal with fan-out on the convolutions and both FCs, the IoU layer N(0, 0.01)).
    /// </summary>
    /// <remarks>
    /// centermask2 trains this head on an ImageNet-pretrained backbone, whose frozen batch norms hold real statistics.
    /// From a random backbone the frozen norms are identities and nothing normalises the features: the backbone's He
    /// initialisation (gain √2) also on the depthwise convolutions, which no ReLU follows, grows the RMS from 1.2 at the
    /// input to 13 at stage 5, and P3 is about 17. centermask2's fan-out gains on that (×2.5 in standard deviation at the
    /// 6,272 → 1,024 FC) made the first predicted IoUs about ±22 for targets in [0, 1]: loss_maskiou 238, then 1.3·10⁴ and
    /// 1.1·10⁶, and not finite at the 4th iteration even at the warm-up's 5·10⁻⁶, with gradient norms of 3·10⁴ at the IoU
    /// layer and 10⁴ per backbone stage, unless the gradient was clipped. With torch's defaults the same backbone gives
    /// predictions of about 0.15 (loss 0.12), gradient norms about 1, and SGD at the paper's rate trains without clipping;
    /// a pretrained CenterMask checkpoint replaces these weights anyway. Found by training TorchSharp and a PyTorch mirror
    /// from the same weights, layer by layer (bench <c>centermask-curves</c>; bench/RESULTS.md, "CenterMask from scratch").
    /// </remarks>
    public MaskIouHead(MaskIouOptions options)
        : base(nameof(MaskIouHead))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _convs = new Conv2d[options.NumConv];
        for (var k = 0; k < options.NumConv; k++)
        {
            var stride = k + 1 == options.NumConv ? 2 : 1;
            _convs[k] = Conv2d(k == 0 ? options.InputChannels + 1 : options.ConvDim, options.ConvDim, 3, stride: stride, padding: 1);
            register_module($"maskiou_fcn{k + 1}", _convs[k]);
            HeadInit.TorchDefault(_convs[k].weight!, _convs[k].bias);
        }

        var side = options.PoolerResolution / 2;
        maskiou_fc1 = Linear(options.ConvDim * side * side, 1024);
        maskiou_fc2 = Linear(1024, 1024);
        maskiou = Linear(1024, options.NumClasses);
        RegisterComponents();
        HeadInit.TorchDefault(maskiou_fc1.weight!, maskiou_fc1.bias);
        HeadInit.TorchDefault(maskiou_fc2.weight!, maskiou_fc2.bias);
        HeadInit.TorchDefault(maskiou.weight!, maskiou.bias);
    }

    /// <summary>The shape this head was built with.</summary>
    public MaskIouOptions Options { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor features, Tensor maskProbabilities)
    {
        var r = Options.PoolerResolution;
        if (features.dim() != 4 || features.shape[1] != Options.InputChannels || features.shape[2] != r || features.shape[3] != r)
        {
            throw new ArgumentException($"MaskIoU head expects [N, {Options.InputChannels}, {r}, {r}] RoI features, got [{string.Join(", ", features.shape)}]", nameof(features));
        }

        if (maskProbabilities.dim() != 4 || maskProbabilities.shape[0] != features.shape[0] || maskProbabilities.shape[1] != 1 || maskProbabilities.shape[2] != 2 * r)
        {
            throw new ArgumentException($"MaskIoU head expects masks [N, 1, {2 * r}, {2 * r}], got [{string.Join(", ", maskProbabilities.shape)}]", nameof(maskProbabilities));
        }

        using var scope = NewDisposeScope();
        var pooledMask = functional.max_pool2d(maskProbabilities, 2, 2);
        var x = cat([features, pooledMask], 1);
        foreach (var conv in _convs)
        {
            x = functional.relu(conv.forward(x));
        }

        x = x.flatten(1);
        x = functional.relu(maskiou_fc1.forward(x));
        x = functional.relu(maskiou_fc2.forward(x));
        return maskiou.forward(x).MoveToOuterDisposeScope();
    }
}
