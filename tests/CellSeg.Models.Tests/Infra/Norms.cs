using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.Infra;

/// <summary>Norm layers for the tests' small networks.</summary>
internal static class Norms
{
    /// <summary>A GroupNorm at PyTorch's start (weight 1, bias 0): TorchSharp 0.107 leaves its affine tensors
    /// uninitialised, and garbage (NaN included) made tensor comparisons in these tests fail now and then.</summary>
    public static GroupNorm Group(long groups, long channels)
    {
        var norm = nn.GroupNorm(groups, channels);
        using (no_grad())
        {
            nn.init.ones_(norm.weight!);
            nn.init.zeros_(norm.bias!);
        }

        return norm;
    }
}
