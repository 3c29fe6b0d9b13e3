using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// The managed RoIAlign kernel as an autograd function, so that training backpropagates through it: forward pools,
/// backward scatters the output gradient back onto the feature taps (the same weights, transposed).
/// </summary>
internal sealed class RoiAlignFunction : autograd.SingleTensorFunction<RoiAlignFunction>
{
    private const string PlanKey = "plan";
    private const string ShapeKey = "shape";

    /// <inheritdoc/>
    public override string Name => nameof(RoiAlignFunction);

    /// <summary>Pools <paramref name="plan"/>'s RoIs from float32 CPU <paramref name="features"/> ([B, C, H, W]).</summary>
    public static Tensor Pool(Tensor features, RoiAlignPlan plan)
    {
        // The function hands back a new handle on its forward's result; the scope frees the forward's own handle.
        using var scope = NewDisposeScope();
        return apply(features, plan).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var features = (Tensor)vars[0];
        var plan = (RoiAlignPlan)vars[1];
        ctx.save_data(PlanKey, plan);
        ctx.save_data(ShapeKey, features.shape);
        return RoiAlignKernel.Forward(features, plan);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var plan = (RoiAlignPlan)ctx.get_data(PlanKey);
        var shape = (long[])ctx.get_data(ShapeKey);

        // The returned tensor must outlive this call (libtorch takes its handle afterwards), so no scope here.
        return [RoiAlignKernel.Backward(grad_output, plan, shape), null!];
    }
}
