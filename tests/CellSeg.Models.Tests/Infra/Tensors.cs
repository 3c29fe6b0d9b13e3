using static TorchSharp.torch;

namespace CellSeg.Models.Tests.Infra;

/// <summary>Exact tensor comparison for tests (TorchSharp's <c>equal</c> is element-wise).</summary>
internal static class Tensors
{
    public static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
}
