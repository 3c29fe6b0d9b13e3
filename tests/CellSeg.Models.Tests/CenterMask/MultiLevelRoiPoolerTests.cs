using CellSeg.Models.CenterMask;
using static TorchSharp.torch;

namespace CellSeg.Models.Tests.CenterMask;

public class MultiLevelRoiPoolerTests
{
    [Fact]
    public void Levels_follow_centermask_equation_two_with_each_images_own_area()
    {
        // Image 0 is 512×512 (A = 262144), image 1 is 256×256 (A = 65536).
        // k = ceil(5 − log2(A_img / A_box)), clamped to [3, 5]; the result is k − 3.
        var rois = new float[]
        {
            0, 0, 0, 256, 256,     // A/4   → ceil(3)     = 3
            0, 0, 0, 256, 512,     // A/2   → ceil(4)     = 4
            0, 0, 0, 512, 512,     // A     → ceil(5)     = 5
            0, 0, 0, 200, 200,     // A/6.55 → ceil(2.29) = 3
            0, 0, 0, 300, 300,     // A/2.91 → ceil(3.46) = 4
            0, 0, 0, 1024, 512,    // 2A    → ceil(6)     = 6 → 5
            0, 10, 10, 10, 10,     // empty → −∞          → 3
            1, 0, 0, 200, 200,     // 65536/40000 = 1.64 → ceil(4.29) = 5
            1, 0, 0, 128, 128,     // A/4   → 3
        };
        var pooler = new MultiLevelRoiPooler();
        using var levels = pooler.AssignLevels(tensor(rois, [rois.Length / 5, 5]), [(512, 512), (256, 256)]);
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2, 0, 2, 0 }, levels.data<long>().ToArray());
    }

    [Fact]
    public void Each_roi_is_pooled_from_its_level_and_returned_in_input_order()
    {
        using var p3 = randn(1, 2, 32, 32);
        using var p4 = randn(1, 2, 16, 16);
        using var p5 = randn(1, 2, 8, 8);
        var rois = new float[] { 0, 0, 0, 256, 256, 0, 10, 20, 60, 50, 0, 0, 0, 150, 150 };
        using var r = tensor(rois, [3, 5]);
        var pooler = new MultiLevelRoiPooler();
        using var pooled = pooler.Pool([p3, p4, p5], r, [(256, 256)]);
        Assert.Equal(new long[] { 3, 2, 14, 14 }, pooled.shape);

        using var levels = pooler.AssignLevels(r, [(256, 256)]);
        Assert.Equal(new long[] { 2, 0, 1 }, levels.data<long>().ToArray());
        Tensor[] maps = [p3, p4, p5];
        for (var k = 0; k < 3; k++)
        {
            var level = (int)levels.data<long>()[k];
            using var alone = RoiAlign.Apply(maps[level], r[k].unsqueeze(0), 14, 1.0 / pooler.Strides[level]);
            Assert.True(alone.allclose(pooled[k].unsqueeze(0)), $"roi {k} differs from RoIAlign on level {level}");
        }
    }

    [Fact]
    public void Strides_that_do_not_double_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new MultiLevelRoiPooler([8, 32]));
        Assert.Throws<ArgumentException>(() => new MultiLevelRoiPooler([6, 12]));
    }
}
