using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class PostProcessingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static float Logit(double p) => (float)Math.Log(p / (1 - p));

    [Fact]
    public void Nms_keeps_what_torchvision_keeps()
    {
        var nms = CenterMaskReference.Root.GetProperty("nms");
        using var boxes = tensor(CenterMaskReference.Matrix(nms.GetProperty("boxes")));
        using var scores = tensor(CenterMaskReference.Floats(nms.GetProperty("scores")));
        using var keep = BoxOps.Nms(boxes, scores, nms.GetProperty("threshold").GetDouble());
        var expected = nms.GetProperty("keep").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(expected, keep.data<long>().ToArray());
    }

    [Fact]
    public void Batched_nms_never_suppresses_across_classes()
    {
        using var boxes = tensor(new float[] { 0, 0, 10, 10, 0, 0, 10, 10, 1, 1, 10, 10 }).reshape(3, 4);
        using var scores = tensor(new float[] { 0.9f, 0.8f, 0.7f });
        using var classes = tensor(new long[] { 0, 1, 0 });
        using var keep = BoxOps.BatchedNms(boxes, scores, classes, 0.6);
        Assert.Equal(new long[] { 0, 1 }, keep.data<long>().ToArray());
    }

    [Fact]
    public void Batched_nms_separates_classes_even_with_negative_coordinates()
    {
        // Unclipped boxes can start left of the image; class 1's shifted box must not land on class 0's.
        using var boxes = tensor(new float[] { -60, -60, 40, 40, 41, 41, 141, 141 }).reshape(2, 4);
        using var scores = tensor(new float[] { 0.9f, 0.8f });
        using var classes = tensor(new long[] { 1, 0 });
        using var keep = BoxOps.BatchedNms(boxes, scores, classes, 0.1);
        Assert.Equal(2, keep.shape[0]);
    }

    [Fact]
    public void Nms_of_thousands_of_boxes_is_fast()
    {
        var generator = new Random(5);
        var n = 20_000;
        var data = new float[n * 4];
        for (var i = 0; i < n; i++)
        {
            var x = (float)generator.NextDouble() * 700;
            var y = (float)generator.NextDouble() * 500;
            var s = 5 + (float)generator.NextDouble() * 25;
            (data[4 * i], data[4 * i + 1], data[4 * i + 2], data[4 * i + 3]) = (x, y, x + s, y + s);
        }

        using var boxes = tensor(data).reshape(n, 4);
        using var scores = rand(n);
        using (BoxOps.Nms(boxes[..10], scores[..10], 0.6))
        {
        }

        // Best of three, as the targets timing test (a shared machine stalls single runs).
        var best = TimeSpan.MaxValue;
        long kept = 0;
        for (var run = 0; run < 3; run++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var keep = BoxOps.Nms(boxes, scores, 0.6);
            best = watch.Elapsed < best ? watch.Elapsed : best;
            kept = keep.shape[0];
        }

        output.WriteLine($"best of 3: {best.TotalMilliseconds:F0} ms, kept {kept}");
        Assert.InRange(kept, 1000, n);
        Assert.True(best < TimeSpan.FromSeconds(5), $"took {best}");
    }

    [Fact]
    public void Post_processing_thresholds_before_centerness_ranks_by_sqrt_cls_times_ctr_and_applies_nms()
    {
        // One level, stride 8, 1×4 locations at x = 4, 12, 20, 28 (y = 4); one class.
        // cls probabilities 0.9, 0.04, 0.6, 0.5; ctr probabilities 0.5, 1, 0.9, 0.1.
        using var logits = tensor(new[] { Logit(0.9), Logit(0.04), Logit(0.6), Logit(0.5) }).reshape(1, 1, 1, 4);
        using var centerness = tensor(new[] { Logit(0.5), Logit(0.999), Logit(0.9), Logit(0.1) }).reshape(1, 1, 1, 4);
        // Distances in strides: location 0 and 2 predict heavily overlapping boxes; location 3 a separate one.
        var d = new float[]
        {
            0.5f, 0.5f, 0.5f, 0.5f,   // l
            0.5f, 0.5f, 0.5f, 0.5f,   // t
            2.5f, 0.5f, 0.5f, 0.5f,   // r
            1.5f, 0.5f, 1.5f, 0.5f,   // b
        };
        using var regression = tensor(d).reshape(1, 4, 1, 4);
        var head = new FcosHeadOutput([logits], [regression], [centerness]);
        var processor = new FcosPostProcessor([8], scoreThreshold: 0.05f, preNmsTopK: 10, nmsThreshold: 0.6f, postNmsTopK: 10);
        var detections = processor.Process(head, [(64, 64)]);
        using var result = detections[0];
        // Location 1 fails the threshold (0.04) although its centerness is high. Scores: location 2
        // sqrt(0.6·0.9), location 0 sqrt(0.9·0.5), location 3 sqrt(0.5·0.1). Location 0's box
        // (0..24 × 0..16) overlaps location 2's (16..24 × 0..16) with IoU 128/384 = 0.33 < 0.6 → both stay.
        var scores = result.Scores.data<float>().ToArray();
        Assert.Equal(new[] { Math.Sqrt(0.54), Math.Sqrt(0.45), Math.Sqrt(0.05) }, scores.Select(s => (double)s).ToArray(), (a, b) => Math.Abs(a - b) < 1e-4);
        Assert.Equal(new float[] { 16, 0, 24, 16 }, result.Boxes[0].data<float>().ToArray());
        Assert.Equal(new float[] { 0, 0, 24, 16 }, result.Boxes[1].data<float>().ToArray());
        Assert.Equal(new long[] { 0, 0, 0 }, result.Levels.data<long>().ToArray());
    }

    [Fact]
    public void Post_processing_suppresses_overlaps_caps_per_level_and_per_image_and_clips()
    {
        // Two identical boxes (NMS keeps the better), one box hanging over the image's right edge.
        using var logits = tensor(new[] { Logit(0.9), Logit(0.8), Logit(0.7) }).reshape(1, 1, 1, 3);
        using var centerness = full(1, 1, 1, 3, Logit(0.5));
        var d = new float[] { 0.5f, 1.5f, 0.5f, 0.5f, 0.5f, 0.5f, 1.5f, 0.5f, 9f, 0.5f, 0.5f, 0.5f };
        using var regression = tensor(d).reshape(1, 4, 1, 3);
        var head = new FcosHeadOutput([logits], [regression], [centerness]);
        // Boxes: loc 0 (x 4): 0..16 × 0..8; loc 1 (x 12): 0..16 × 0..8 — the same; loc 2 (x 20): 16..92 → clipped to 40.
        var all = new FcosPostProcessor([8], 0.05f, 10, 0.6f, 10).Process(head, [(30, 40)])[0];
        Assert.Equal(2, all.Count);
        Assert.Equal(new float[] { 16, 0, 40, 8 }, all.Boxes[1].data<float>().ToArray());
        all.Dispose();

        var capped = new FcosPostProcessor([8], 0.05f, 10, 0.6f, 1).Process(head, [(30, 40)])[0];
        Assert.Equal(1, capped.Count);
        Assert.Equal(Math.Sqrt(0.45), capped.Scores.item<float>(), 4);
        capped.Dispose();

        // Pre-NMS top-1 per level keeps only the best candidate before NMS.
        var pre = new FcosPostProcessor([8], 0.05f, 1, 0.6f, 10).Process(head, [(30, 40)])[0];
        Assert.Equal(1, pre.Count);
        pre.Dispose();
    }

    [Fact]
    public void Nothing_above_the_threshold_gives_an_empty_result()
    {
        using var logits = full(1, 1, 2, 2, -10f);
        using var centerness = zeros(1, 1, 2, 2);
        using var regression = ones(1, 4, 2, 2);
        var head = new FcosHeadOutput([logits], [regression], [centerness]);
        using var result = new FcosPostProcessor([8], 0.05f, 10, 0.6f, 10).Process(head, [(16, 16)])[0];
        Assert.Equal(0, result.Count);
        Assert.Equal(new long[] { 0, 4 }, result.Boxes.shape);
    }
}
