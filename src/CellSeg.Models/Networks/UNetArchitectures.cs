namespace CellSeg.Models.Networks;

/// <summary>The U-Net architectures by name, as workflows and model files spell them.</summary>
public static class UNetArchitectures
{
    /// <summary>The U-Net of Ronneberger et al. as in milesial/Pytorch-UNet: 4 levels, base 64.</summary>
    public const string UNet = "unet";

    /// <summary>The paper's deep U-Net: one more level at the bottom as wide as the bottom (1,024 at base 64).</summary>
    public const string DeepUNet = "deep-unet";

    /// <summary>The paper's deep U-Net ensemble: one member per cell type, each with two extra levels (1,024 and 2,048 at base 64).</summary>
    public const string DeepUNetEnsemble = "deep-unet-ensemble";

    /// <summary>Every architecture name.</summary>
    public static IReadOnlyList<string> All { get; } = [UNet, DeepUNet, DeepUNetEnsemble];

    /// <summary>
    /// The options of an architecture built on a base shape (depth, width, upsampling, channels): the deep architectures
    /// get their extra bottom levels, sized from the base shape (for depth 4: ×16 and ×32 the base width).
    /// Extra levels already given in <paramref name="shape"/> are kept as they are.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown architecture name.</exception>
    public static UNetOptions OptionsFor(string architecture, UNetOptions? shape = null)
    {
        shape ??= new UNetOptions();
        if (shape.ExtraBottomLevels.Count > 0)
        {
            return shape;
        }

        var bottom = 1 << shape.Depth;
        return architecture switch
        {
            UNet => shape,
            DeepUNet => shape with { ExtraBottomLevels = [bottom] },
            DeepUNetEnsemble => shape with { ExtraBottomLevels = [bottom, 2 * bottom] },
            _ => throw new ArgumentException($"unknown U-Net architecture '{architecture}' (known: {string.Join(", ", All)})", nameof(architecture)),
        };
    }
}
