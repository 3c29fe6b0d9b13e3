using CellSeg.Data.Masks;

namespace CellSeg.Data.Tests.Masks;

public sealed class ComponentLabelsTests
{
    [Fact]
    public void Components_become_instances_with_their_rle_area_and_mean_value_small_ones_dropped()
    {
        // A diagonal pair (8-connected: one component), a 2×2 block, and a lone pixel.
        var mask = new BinaryMask(5, 6);
        mask[0, 0] = 1;
        mask[1, 1] = 1;
        mask[4, 0] = 1;
        mask[5, 0] = 1;
        mask[4, 1] = 1;
        mask[5, 1] = 1;
        mask[2, 4] = 1;
        var values = new double[mask.Data.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i;
        }

        var labels = ComponentLabels.Find(mask);
        var instances = labels.ToInstances<double>(values, minArea: 2);

        Assert.Equal(3, labels.Count);
        Assert.Equal((5, 6), (labels.Height, labels.Width));
        Assert.Equal(2, instances.Count);
        Assert.Equal([2, 4], instances.Select(c => c.Area));
        Assert.Equal((0 + 7) / 2.0, instances[0].MeanValue);
        Assert.Equal((4 + 5 + 10 + 11) / 4.0, instances[1].MeanValue);
        var first = new BinaryMask(5, 6);
        first[0, 0] = 1;
        first[1, 1] = 1;
        Assert.Equal(Rle.Encode(first).ToCompressedString(), instances[0].Mask.ToCompressedString());
        Assert.Equal(3, labels.ToInstances<float>(new float[values.Length], minArea: 0).Count);
        Assert.Throws<ArgumentException>(() => labels.ToInstances<float>(new float[3], minArea: 1));
    }
}
