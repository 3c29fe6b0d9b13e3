using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.CenterMask;

/// <summary>The weight initialisations centermask2's RoI heads use, in one place.</summary>
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
