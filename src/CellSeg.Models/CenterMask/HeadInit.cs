using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>The weight initialisations of the RoI heads, in one place.</summary>
internal static class HeadInit
{
    /// <summary>
    /// fvcore's <c>c2_msra_fill</c>: He normal with fan-out (Caffe2's MSRAFill), bias 0. For a transposed
    /// convolution PyTorch's fan-out is weight.size(0) × kernel area, i.e. from its input channels; so here.
    /// </summary>
    public static void MsraFill(Parameter weight, Parameter? bias)
    {
        using var noGrad = no_grad();
        init.kaiming_normal_(weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
        if (bias is not null)
        {
            init.zeros_(bias);
        }
    }

    /// <summary>
    /// torch.nn's default for <c>Linear</c> and <c>Conv2d</c> (their <c>reset_parameters</c>): weight from kaiming-uniform
    /// with a = √5, i.e. U(±1/√fan_in), bias U(±1/√fan_in). Written out rather than left to the constructors so that the
    /// head's initialisation does not depend on what a TorchSharp version's constructor happens to do.
    /// </summary>
    public static void TorchDefault(Parameter weight, Parameter? bias)
    {
        using var noGrad = no_grad();
        init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        if (bias is not null)
        {
            var bound = 1 / Math.Sqrt(weight.numel() / weight.shape[0]);
            init.uniform_(bias, -bound, bound);
        }
    }

    /// <summary>Normal(0, std) weights and a zero bias, for the predictors.</summary>
    public static void Normal(Parameter weight, Parameter? bias, double std)
    {
        using var noGrad = no_grad();
        init.normal_(weight, 0, std);
        if (bias is not null)
        {
            init.zeros_(bias);
        }
    }
}
