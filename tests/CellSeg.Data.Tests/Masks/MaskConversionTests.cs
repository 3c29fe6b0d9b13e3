using CellSeg.Data.Masks;

namespace CellSeg.Data.Tests.Masks;

public sealed class MaskConversionTests
{
    [Fact]
    public void Semantic_mask_equals_the_decoded_Rle_merge()
    {
        var random = new Random(4242);
        for (var trial = 0; trial < 50; trial++)
        {
            int h = random.Next(1, 30), w = random.Next(1, 30);
            var instances = Enumerable.Range(0, random.Next(1, 8)).Select(_ => RandomPolygonRle(random, h, w)).ToList();

            var semantic = MaskConversion.ToSemantic(instances, h, w);

            Assert.Equal(Rle.Merge(instances).Decode().Data, semantic.Data);
        }
    }

    [Fact]
    public void Label_image_paints_instances_in_order_and_the_later_one_wins_an_overlap()
    {
        var first = Rle.Encode(MaskTestShapes.Parse("###.", "###.", "...."));
        var second = Rle.Encode(MaskTestShapes.Parse("....", ".###", ".###"));
        var hidden = Rle.Encode(MaskTestShapes.Parse("....", "..#.", "...."));
        var last = Rle.Encode(MaskTestShapes.Parse("....", "..#.", "...."));

        var labels = MaskConversion.ToLabels([first, second, hidden, last], 3, 4);

        Assert.Equal(
            new[]
            {
                1, 1, 1, 0,
                1, 2, 4, 2,
                0, 2, 2, 2,
            },
            labels);
    }

    [Fact]
    public void Label_image_matches_painting_each_decoded_instance_in_turn()
    {
        var random = new Random(77);
        for (var trial = 0; trial < 30; trial++)
        {
            int h = random.Next(1, 25), w = random.Next(1, 25);
            var instances = Enumerable.Range(0, random.Next(1, 10)).Select(_ => RandomPolygonRle(random, h, w)).ToList();
            var expected = new int[h * w];
            for (var i = 0; i < instances.Count; i++)
            {
                var decoded = instances[i].Decode().Data;
                for (var p = 0; p < decoded.Length; p++)
                {
                    if (decoded[p] != 0)
                    {
                        expected[p] = i + 1;
                    }
                }
            }

            Assert.Equal(expected, MaskConversion.ToLabels(instances, h, w));
        }
    }

    [Fact]
    public void No_instances_give_background_of_the_requested_size()
    {
        Assert.Equal(new byte[12], MaskConversion.ToSemantic([], 3, 4).Data);
        Assert.Equal(new int[12], MaskConversion.ToLabels([], 3, 4));
    }

    [Fact]
    public void Instance_of_another_size_is_refused()
    {
        var instances = new[] { Rle.Empty(3, 4), Rle.Empty(4, 3) };

        var error = Assert.Throws<ArgumentException>(() => MaskConversion.ToLabels(instances, 3, 4));
        Assert.Contains("instance 1 is 3x4", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => MaskConversion.ToSemantic(instances, 3, 4));
    }

    private static Rle RandomPolygonRle(Random random, int h, int w)
    {
        var points = random.Next(3, 7);
        var xy = new double[2 * points];
        for (var i = 0; i < points; i++)
        {
            xy[2 * i] = Math.Round(random.NextDouble() * w, 2);
            xy[2 * i + 1] = Math.Round(random.NextDouble() * h, 2);
        }

        return Rle.FromPolygon(xy, h, w);
    }
}
