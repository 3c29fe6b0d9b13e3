using System.Diagnostics;
using System.Text.Json.Nodes;
using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Bench.CenterMask;

/// <summary>
/// RoIAlign alone, as inference meets it: 3000 RoIs (LIVECell's detections per image) of 4–59 pixels pooled to
/// 14×14 from a [1, 128, 66, 88] P3 map (704×520 at stride 8), forward and backward. The boxes come from a formula
/// the Python script repeats (<c>--roi-align</c>), so torchvision pools the same boxes.
/// </summary>
internal static class RoiAlignMicroBench
{
    public const int Count = 3000;

    /// <summary>(batch, x1, y1, x2, y2) of RoI k.</summary>
    public static float[] Rois()
    {
        var rois = new float[Count * 5];
        for (var k = 0; k < Count; k++)
        {
            float x = k * 37 % 680, y = k * 53 % 500, w = 4 + k * 7 % 56, h = 4 + k * 11 % 56;
            rois[k * 5 + 1] = x + 0.25f;
            rois[k * 5 + 2] = y + 0.75f;
            rois[k * 5 + 3] = x + w;
            rois[k * 5 + 4] = y + h;
        }

        return rois;
    }

    public static JsonObject Run(int repeat)
    {
        manual_seed(0);
        using var features = randn(1, 128, 66, 88).requires_grad_(true);
        using var rois = tensor(Rois(), [Count, 5]);
        double forward = double.MaxValue, backward = double.MaxValue;
        for (var r = 0; r < repeat; r++)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            var pooled = RoiAlign.Apply(features, rois, 14, 0.125);
            forward = Math.Min(forward, clock.Elapsed.TotalSeconds);
            var grad = ones_like(pooled);
            clock.Restart();
            pooled.backward([grad]);
            backward = Math.Min(backward, clock.Elapsed.TotalSeconds);
            features.grad?.zero_();
        }

        return new JsonObject { ["roi_align_forward_s_min"] = forward, ["roi_align_backward_s_min"] = backward };
    }
}
