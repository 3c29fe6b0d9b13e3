using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// RoIAlign with torchvision's <c>roi_align</c> semantics (TorchSharp's torchvision has none): bilinear samples
/// on a regular grid in every output bin, averaged. Used with <c>aligned</c> (detectron2's "ROIAlignV2", the
/// −0.5 pixel shift) and an adaptive grid (<c>ceil(roi size / output size)</c> per RoI and axis) by CenterMask.
/// </summary>
/// <remarks>
/// Bilinear sampling is separable: a sample's weight on pixel (y, x) is w<sub>y</sub>(y)·w<sub>x</sub>(x), and
/// torchvision's border rules act on each axis alone. The sample positions are computed once per RoI on the CPU
/// (<see cref="RoiSamples"/>). float32 features on the CPU — training and inference here — go through a managed
/// kernel with its own backward (<see cref="RoiAlignFunction"/>): features laid out channels-last so that every
/// tap adds one contiguous, vectorised channel row, RoIs in parallel. Other devices and dtypes take a path built
/// from batched tensor operations (<see cref="RoiAlignBatched"/>). The boxes get no gradient (as in torchvision).
/// </remarks>
public static class RoiAlign
{
    /// <summary>
    /// Pools <paramref name="rois"/> from <paramref name="features"/>.
    /// </summary>
    /// <param name="features">[B, C, H, W], float32 or float64, on any device.</param>
    /// <param name="rois">[K, 5]: (batch index, x1, y1, x2, y2) in image pixels, as torchvision expects.</param>
    /// <param name="outputSize">Bins per side (CenterMask: 14).</param>
    /// <param name="spatialScale">Feature pixels per image pixel, 1 / stride.</param>
    /// <param name="samplingRatio">Samples per bin and axis; ≤ 0 means adaptive, <c>ceil(roi size / outputSize)</c>.</param>
    /// <param name="aligned">Shift box coordinates by −0.5 feature pixel so that pixel centres line up (ROIAlignV2).</param>
    /// <returns>[K, C, outputSize, outputSize] in the order of <paramref name="rois"/>.</returns>
    public static Tensor Apply(Tensor features, Tensor rois, int outputSize = 14, double spatialScale = 1.0, int samplingRatio = 0, bool aligned = true)
    {
        var samples = Prepare(features, rois, outputSize, spatialScale, samplingRatio, aligned);
        if (samples is null)
        {
            return zeros([0, features.shape[1], outputSize, outputSize], features.dtype, features.device);
        }

        if (features.device_type == DeviceType.CPU && features.dtype == ScalarType.Float32)
        {
            return RoiAlignFunction.Pool(features, RoiAlignPlan.Build(samples));
        }

        return RoiAlignBatched.Pool(features, samples, RoiAlignBatched.DefaultWindowBudget);
    }

    /// <summary>
    /// <see cref="Apply(Tensor, Tensor, int, double, int, bool)"/> through the batched tensor path on any device,
    /// with the gathered-window budget per step given (tests compare both paths).
    /// </summary>
    internal static Tensor ApplyBatched(Tensor features, Tensor rois, int outputSize, double spatialScale, int samplingRatio, bool aligned, long windowBudget)
    {
        var samples = Prepare(features, rois, outputSize, spatialScale, samplingRatio, aligned);
        return samples is null
            ? zeros([0, features.shape[1], outputSize, outputSize], features.dtype, features.device)
            : RoiAlignBatched.Pool(features, samples, windowBudget);
    }

    private static RoiSamples? Prepare(Tensor features, Tensor rois, int outputSize, double spatialScale, int samplingRatio, bool aligned)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(rois);
        if (features.dim() != 4)
        {
            throw new ArgumentException($"features must be [B, C, H, W], got [{string.Join(", ", features.shape)}]", nameof(features));
        }

        if (rois.dim() != 2 || rois.shape[1] != 5)
        {
            throw new ArgumentException($"rois must be [K, 5] (batch, x1, y1, x2, y2), got [{string.Join(", ", rois.shape)}]", nameof(rois));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        return rois.shape[0] == 0
            ? null
            : RoiSamples.Build(rois, features.shape[0], features.shape[2], features.shape[3], outputSize, spatialScale, samplingRatio, aligned);
    }
}
