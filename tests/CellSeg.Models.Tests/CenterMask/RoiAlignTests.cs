using CellSeg.Models.CenterMask;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class RoiAlignTests
{
    // Boxes in image pixels: inside, partly outside on each side, wholly outside, tiny, huge, inverted.
    private static readonly float[][] Boxes =
    [
        [0, 10.3f, 7.9f, 60.2f, 40.1f],
        [1, -12.5f, -6f, 30f, 25.5f],
        [0, 90f, 70f, 160f, 140f],
        [1, 100f, 100f, 130f, 120f],
        [0, 33.3f, 21.7f, 33.9f, 22.1f],
        [1, -40f, -40f, 200f, 180f],
        [0, 5f, 5f, 5f, 5f],
        [1, 50f, 40f, 45f, 30f],
        [0, 0f, 0f, 135.9f, 103.1f],
        [1, 2.2f, 60.6f, 17.7f, 101.4f],
    ];

    [Theory]
    [InlineData(0.125, 0, true, false)]
    [InlineData(0.125, 2, true, false)]
    [InlineData(0.25, 0, true, false)]
    [InlineData(0.25, 1, true, false)]
    [InlineData(0.0625, 3, true, false)]
    [InlineData(0.125, 0, false, false)]
    [InlineData(0.25, 2, false, false)]
    [InlineData(0.125, 0, true, true)]
    [InlineData(0.25, 2, false, true)]
    [InlineData(0.0625, 3, true, true)]
    public void Output_and_feature_gradient_match_torchvision_roi_align(double scale, int samplingRatio, bool aligned, bool batchedPath)
    {
        const int b = 2, c = 3, h = 13, w = 17, size = 14;
        var generator = new Random(7);
        var features = Enumerable.Range(0, b * c * h * w).Select(_ => (float)(generator.NextDouble() * 2 - 1)).ToArray();
        var rois = Boxes.SelectMany(r => r).ToArray();

        using var f = tensor(features, [b, c, h, w]).requires_grad_(true);
        using var r = tensor(rois, [Boxes.Length, 5]);
        using var pooled = batchedPath
            ? RoiAlign.ApplyBatched(f, r, size, scale, samplingRatio, aligned, RoiAlignBatched.DefaultWindowBudget)
            : RoiAlign.Apply(f, r, size, scale, samplingRatio, aligned);
        using var gradWeights = arange(pooled.numel(), dtype: ScalarType.Float32).reshape(pooled.shape).cos();
        using var objective = (pooled * gradWeights).sum();
        objective.backward();

        var script = $$"""
            import numpy as np, torch
            from torchvision.ops import roi_align
            f = torch.from_numpy(np.fromfile('features.f32', dtype='<f4').reshape({{b}}, {{c}}, {{h}}, {{w}})).requires_grad_(True)
            r = torch.from_numpy(np.fromfile('rois.f32', dtype='<f4').reshape(-1, 5))
            out = roi_align(f, r, output_size={{size}}, spatial_scale={{TorchvisionReference.Py(scale)}}, sampling_ratio={{samplingRatio}}, aligned={{(aligned ? "True" : "False")}})
            weights = torch.arange(out.numel(), dtype=torch.float32).reshape(out.shape).cos()
            (out * weights).sum().backward()
            out.detach().numpy().astype('<f4').tofile('out_pooled.f32')
            f.grad.numpy().astype('<f4').tofile('out_grad.f32')
            """;
        var reference = TorchvisionReference.Run(script, new Dictionary<string, float[]> { ["features"] = features, ["rois"] = rois });

        Assert.Equal(new long[] { Boxes.Length, c, size, size }, pooled.shape);
        AssertClose(reference["out_pooled"], pooled.detach().data<float>().ToArray(), 1e-5f);
        AssertClose(reference["out_grad"], f.grad!.data<float>().ToArray(), 1e-4f);
    }

    [Fact]
    public void Hand_computed_samples_of_a_linear_ramp()
    {
        // f(y, x) = 10y + x: bilinear sampling of a linear function returns the function at the sample point.
        using var f = (arange(4, dtype: ScalarType.Float32).view(4, 1) * 10 + arange(4, dtype: ScalarType.Float32).view(1, 4)).view(1, 1, 4, 4);

        // Aligned box (1,1)-(3,3): starts at 0.5, bins of 1 pixel, one sample per bin at 1 and 2.
        using var twoByTwo = RoiAlign.Apply(f, tensor(new float[] { 0, 1, 1, 3, 3 }, [1, 5]), outputSize: 2);
        Assert.Equal(new[] { 11f, 12f, 21f, 22f }, twoByTwo.data<float>().ToArray());

        // One bin of 2×2 pixels: adaptive grid ceil(2/1) = 2 per axis, samples at 0.5 and 1.5, mean f(1, 1) = 11.
        using var oneBin = RoiAlign.Apply(f, tensor(new float[] { 0, 0.5f, 0.5f, 2.5f, 2.5f }, [1, 5]), outputSize: 1);
        Assert.Equal(11f, oneBin.item<float>(), 5);

        // A sample at y = −0.5 is clamped to row 0 (x = 1 → f = 1); one at y = −1.5 lies beyond −1 and is zero.
        using var clamped = RoiAlign.Apply(f, tensor(new float[] { 0, 1, -0.5f, 2, 0.5f }, [1, 5]), outputSize: 1, samplingRatio: 1);
        Assert.Equal(1f, clamped.item<float>(), 5);
        using var outside = RoiAlign.Apply(f, tensor(new float[] { 0, 1, -1.5f, 2, -0.5f }, [1, 5]), outputSize: 1, samplingRatio: 1);
        Assert.Equal(0f, outside.item<float>());

        // Past the last row the sample sits on row 3 (y = 3.4 → 30 + x, x = 2 → 32).
        using var bottom = RoiAlign.Apply(f, tensor(new float[] { 0, 2, 3.4f, 3, 4.4f }, [1, 5]), outputSize: 1, samplingRatio: 1);
        Assert.Equal(32f, bottom.item<float>(), 5);
    }

    [Fact]
    public void Batched_path_pooling_in_small_steps_gives_the_same_result_and_gradient()
    {
        var rois = Boxes.SelectMany(r => r).ToArray();
        using var f = randn(2, 3, 13, 17).requires_grad_(true);
        using var r = tensor(rois, [Boxes.Length, 5]);
        using var whole = RoiAlign.ApplyBatched(f, r, 7, 0.125, 0, true, RoiAlignBatched.DefaultWindowBudget);
        using var stepped = RoiAlign.ApplyBatched(f, r, 7, 0.125, 0, true, windowBudget: 1);
        Assert.True(whole.allclose(stepped, 1e-6, 1e-6));
        using var grad = torch.autograd.grad([stepped.sum()], [f])[0];
        using var gradWhole = torch.autograd.grad([whole.sum()], [f])[0];
        Assert.True(grad.allclose(gradWhole, 1e-6, 1e-6));
    }

    [Fact]
    public void A_roi_naming_a_missing_image_is_rejected_with_its_index()
    {
        using var f = zeros(1, 1, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => RoiAlign.Apply(f, tensor(new float[] { 0, 0, 0, 1, 1, 3, 0, 0, 1, 1 }, [2, 5])));
        Assert.Contains("roi 1", e.Message);
    }

    [Fact]
    public void Thousands_of_rois_pool_in_batches_quickly()
    {
        // LIVECell keeps up to 3000 detections per image: the pooler must not loop per RoI in tensor calls.
        using var f = randn(1, 16, 66, 88);
        var generator = new Random(3);
        var rois = new float[3000 * 5];
        for (var k = 0; k < 3000; k++)
        {
            float x = generator.Next(0, 680), y = generator.Next(0, 500);
            float bw = generator.Next(4, 60), bh = generator.Next(4, 60);
            rois[k * 5 + 1] = x;
            rois[k * 5 + 2] = y;
            rois[k * 5 + 3] = x + bw;
            rois[k * 5 + 4] = y + bh;
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var pooled = RoiAlign.Apply(f, tensor(rois, [3000, 5]), 14, 0.125);
        watch.Stop();
        Assert.Equal(new long[] { 3000, 16, 14, 14 }, pooled.shape);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"3000 RoIs took {watch.Elapsed}");
    }

    [Fact]
    public void Cpu_kernel_and_batched_path_agree_on_many_channels_and_float64_takes_the_batched_path()
    {
        // 37 channels: whole SIMD vectors plus a remainder in both the forward and the sliced backward.
        var rois = Boxes.SelectMany(r => r).ToArray();
        using var f = randn(2, 37, 13, 17).requires_grad_(true);
        using var r = tensor(rois, [Boxes.Length, 5]);
        using var kernel = RoiAlign.Apply(f, r, 14, 0.125);
        using var batched = RoiAlign.ApplyBatched(f, r, 14, 0.125, 0, true, RoiAlignBatched.DefaultWindowBudget);
        Assert.True(kernel.allclose(batched, 1e-5, 1e-5));
        using var weights = randn(kernel.shape);
        using var gradKernel = torch.autograd.grad([(kernel * weights).sum()], [f])[0];
        using var gradBatched = torch.autograd.grad([(batched * weights).sum()], [f])[0];
        Assert.True(gradKernel.allclose(gradBatched, 1e-4, 1e-4));

        using var f64 = f.detach().to(ScalarType.Float64);
        using var pooled64 = RoiAlign.Apply(f64, r, 14, 0.125);
        Assert.Equal(ScalarType.Float64, pooled64.dtype);
        Assert.True(pooled64.to(ScalarType.Float32).allclose(kernel.detach(), 1e-5, 1e-5));
    }

    [Fact]
    public void Cpu_kernel_gives_the_same_numbers_on_one_thread_and_on_several()
    {
        var rois = Boxes.SelectMany(r => r).ToArray();
        using var f = randn(2, 24, 13, 17).requires_grad_(true);
        using var r = tensor(rois, [Boxes.Length, 5]);
        var threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            using var one = RoiAlign.Apply(f, r, 7, 0.25);
            using var gradOne = torch.autograd.grad([one.sum()], [f])[0];
            torch.set_num_threads(3);
            using var three = RoiAlign.Apply(f, r, 7, 0.25);
            using var gradThree = torch.autograd.grad([three.sum()], [f])[0];
            Assert.True(one.allclose(three, 0, 0));
            Assert.True(gradOne.allclose(gradThree, 0, 0));
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        var at = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = MathF.Abs(expected[i] - actual[i]);
            if (d > worst)
            {
                worst = d;
                at = i;
            }
        }

        Assert.True(worst <= tolerance, $"largest difference {worst} at {at}: expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)}");
    }
}
