using CellSeg.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.Networks;

/// <summary>[3×3 convolution (no bias) → batch norm → ReLU] × 2, the U-Net's building block.</summary>
internal sealed class DoubleConv : Module<Tensor, Tensor>
{
    private readonly Sequential block;

    public DoubleConv(long inChannels, long outChannels, long? midChannels = null)
        : base(nameof(DoubleConv))
    {
        var mid = midChannels ?? outChannels;
        block = Sequential(
            Conv2d(inChannels, mid, 3, padding: 1, bias: false),
            new HeldBatchNorm2d(mid),
            ReLU(inplace: true),
            Conv2d(mid, outChannels, 3, padding: 1, bias: false),
            new HeldBatchNorm2d(outChannels),
            ReLU(inplace: true));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => block.forward(input);
}

/// <summary>2×2 max pooling, then a double convolution: one level down.</summary>
internal sealed class Down : Module<Tensor, Tensor>
{
    private readonly MaxPool2d pool;
    private readonly DoubleConv conv;

    public Down(long inChannels, long outChannels)
        : base(nameof(Down))
    {
        pool = MaxPool2d(2);
        conv = new DoubleConv(inChannels, outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var pooled = pool.forward(input);
        return conv.forward(pooled);
    }
}

/// <summary>
/// One level up: upsample the deeper features ×2, pad them to the skip connection's size (odd sizes),
/// concatenate [skip, upsampled] and apply a double convolution.
/// </summary>
internal sealed class Up : Module<Tensor, Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> up;
    private readonly DoubleConv conv;

    /// <param name="belowChannels">Channels arriving from the level below.</param>
    /// <param name="skipChannels">Channels of the skip connection from the encoder.</param>
    /// <param name="outChannels">Channels this level produces.</param>
    /// <param name="bilinear">Bilinear upsampling (no weights) instead of a 2×2 transposed convolution.</param>
    public Up(long belowChannels, long skipChannels, long outChannels, bool bilinear)
        : base(nameof(Up))
    {
        if (bilinear)
        {
            // milesial: Upsample, then DoubleConv(in, out, mid = in / 2) on the concatenation.
            up = Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Bilinear, align_corners: true);
            var concatenated = belowChannels + skipChannels;
            conv = new DoubleConv(concatenated, outChannels, concatenated / 2);
        }
        else
        {
            // milesial: ConvTranspose2d(in, in / 2) where in / 2 is the skip's width; here the skip's width
            // directly, which is the same for doubling levels and also fits the deep variants' extra levels.
            up = ConvTranspose2d(belowChannels, skipChannels, 2, stride: 2);
            conv = new DoubleConv(2 * skipChannels, outChannels);
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor below, Tensor skip)
    {
        using var scope = NewDisposeScope();
        var x = up.forward(below);
        var dy = skip.shape[2] - x.shape[2];
        var dx = skip.shape[3] - x.shape[3];
        if (dx != 0 || dy != 0)
        {
            x = functional.pad(x, [dx / 2, dx - dx / 2, dy / 2, dy - dy / 2]);
        }

        var merged = cat([skip, x], 1);
        return conv.forward(merged).MoveToOuterDisposeScope();
    }
}
