using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CellSeg.Models.Torch;

/// <summary>
/// TorchSharp's <c>BatchNorm2d</c> with its one unheld scalar removed: the training-mode update
/// <c>num_batches_tracked.add_(1)</c> passes two temporary scalars that a GC on another thread can free while
/// libtorch reads them (the "Unknown scalar type" abort seen in a U-Net bench; see <see cref="Scalars"/>).
/// Parameters, buffers, their names and order, <c>to()</c>, and the forward arithmetic are TorchSharp's own
/// (this derives from its <see cref="BatchNorm"/>), so state dicts and weight files are interchangeable.
/// </summary>
public sealed class HeldBatchNorm2d : BatchNorm
{
    /// <summary>A 2-D batch norm over <paramref name="features"/> channels, with PyTorch's defaults.</summary>
    public HeldBatchNorm2d(long features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool trackRunningStats = true)
        : base(features, eps, momentum, affine, trackRunningStats, device: null, dtype: null, name: "BatchNorm2d")
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        var averagingFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(Scalars.One, Scalars.One);
            averagingFactor = momentum ?? (1.0 / num_batches_tracked.item<long>());
        }

        var useBatchStatistics = training || (running_mean is null && running_var is null);
        var passStatistics = !training || track_running_stats;
        return F.batch_norm(input, passStatistics ? running_mean : null, passStatistics ? running_var : null, weight, bias, useBatchStatistics, averagingFactor, eps);
    }

    /// <inheritdoc />
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4)
        {
            throw new ArgumentException($"BatchNorm2d expects a 4-D input [N, C, H, W], got {input.ndim}-D.", nameof(input));
        }
    }
}
