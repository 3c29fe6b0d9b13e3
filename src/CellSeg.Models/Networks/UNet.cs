using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.Networks;

/// <summary>
/// U-Net with 3×3 double convolutions, batch norm and ReLU (milesial/Pytorch-UNet), generalised to any
/// depth, width and extra bottom levels (the paper's deep U-Net). Input N×C×H×W with H and W multiples
/// of 2^<see cref="UNetOptions.TotalDepth"/> (other sizes work through padding in each up level);
/// output N×Classes×H×W logits.
/// </summary>
public sealed class UNet : Module<Tensor, Tensor>
{
    private readonly DoubleConv inc;
    private readonly ModuleList<Down> downs = new();
    private readonly ModuleList<Up> ups = new();
    private readonly Conv2d outc;

    /// <summary>Builds the network with freshly initialised weights (seed torch first for reproducible weights).</summary>
    public UNet(UNetOptions options)
        : base(nameof(UNet))
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        var c = options.LevelChannels;
        var levels = c.Count - 1;

        // In bilinear mode every level hands up as many channels as the skip it joins (so the bottom gives
        // c[L-1], and up level i gives c[i-2]), which is milesial's `// factor` rule for doubling widths.
        inc = new DoubleConv(options.InChannels, c[0]);
        for (var i = 1; i <= levels; i++)
        {
            var outChannels = options.Bilinear && i == levels ? c[i - 1] : c[i];
            downs.Add(new Down(c[i - 1], outChannels));
        }

        for (var i = levels; i >= 1; i--)
        {
            var below = options.Bilinear ? c[i - 1] : c[i];
            var skip = c[i - 1];
            var outChannels = options.Bilinear && i >= 2 ? c[i - 2] : c[i - 1];
            ups.Add(new Up(below, skip, outChannels, options.Bilinear));
        }

        outc = Conv2d(c[0], options.Classes, 1);
        RegisterComponents();
    }

    /// <summary>The shape this network was built with.</summary>
    public UNetOptions Options { get; }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var skips = new List<Tensor> { inc.forward(input) };
        foreach (var down in downs)
        {
            skips.Add(down.forward(skips[^1]));
        }

        var x = skips[^1];
        for (var j = 0; j < ups.Count; j++)
        {
            x = ups[j].forward(x, skips[skips.Count - 2 - j]);
        }

        return outc.forward(x).MoveToOuterDisposeScope();
    }
}
