using System.Text.Json.Serialization;

namespace CellSeg.Models.Networks;

/// <summary>
/// The shape of a U-Net (Ronneberger et al.; milesial/Pytorch-UNet's parts): <see cref="Depth"/> down/up
/// levels whose widths double from <see cref="BaseChannels"/>, plus optional extra levels at the bottom
/// of the "U" (the paper's deep variants). Width and depth are parameters so tests can use tiny models.
/// </summary>
public sealed record UNetOptions
{
    /// <summary>Down (and up) levels with doubling widths: 4 gives 64-128-256-512-1024 at base 64.</summary>
    public int Depth { get; init; } = 4;

    /// <summary>Channels of the first double convolution (64 in the paper).</summary>
    public int BaseChannels { get; init; } = 64;

    /// <summary>Bilinear upsampling (milesial's <c>bilinear=True</c>) instead of transposed convolutions.</summary>
    public bool Bilinear { get; init; }

    /// <summary>Input channels (1: LIVECell images are gray).</summary>
    public int InChannels { get; init; } = 1;

    /// <summary>Output channels: 1 gives one foreground logit per pixel (BCE + Dice).</summary>
    public int Classes { get; init; } = 1;

    /// <summary>
    /// Widths of extra levels below the bottom, as multiples of <see cref="BaseChannels"/>: the paper's
    /// deep U-Net adds one level of 1,024 channels ([16] at base 64), the ensemble members two, of 1,024
    /// and 2,048 ([16, 32]). Empty for the plain U-Net.
    /// </summary>
    public IReadOnlyList<int> ExtraBottomLevels { get; init; } = [];

    /// <summary>Channels of every level, top (the first double convolution) to bottom.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> LevelChannels
    {
        get
        {
            var channels = new List<int>();
            for (var i = 0; i <= Depth; i++)
            {
                channels.Add(BaseChannels << i);
            }

            channels.AddRange(ExtraBottomLevels.Select(m => m * BaseChannels));
            return channels;
        }
    }

    /// <summary>Number of 2× down-samplings: an input side must be a multiple of 2^this (inference pads to it).</summary>
    [JsonIgnore]
    public int TotalDepth => Depth + ExtraBottomLevels.Count;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (Depth < 1 || Depth > 8)
        {
            throw new ArgumentException($"UNetOptions.Depth must be 1..8, not {Depth}");
        }

        if (BaseChannels < 1 || (BaseChannels << Depth) > 1 << 16)
        {
            throw new ArgumentException($"UNetOptions.BaseChannels must be ≥ 1 and BaseChannels·2^Depth ≤ 65536, not {BaseChannels}");
        }

        if (InChannels < 1 || Classes < 1)
        {
            throw new ArgumentException($"UNetOptions.InChannels and Classes must be ≥ 1 (got {InChannels}, {Classes})");
        }

        if (ExtraBottomLevels.Any(m => m < 1) || TotalDepth > 10)
        {
            throw new ArgumentException("UNetOptions.ExtraBottomLevels must hold multipliers ≥ 1, at most 10 levels in all");
        }

        if (Bilinear && LevelChannels.Skip(1).Any(c => c % 2 != 0))
        {
            throw new ArgumentException("bilinear U-Nets need even channel counts below the top level");
        }
    }
}
