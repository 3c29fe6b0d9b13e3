using CellSeg.Data.Masks;

namespace CellSeg.Data.Tests.Masks;

public class RleBlockStoreTests
{
    /// <summary>Cell-like outlines (and now and then a second part) of a 20×30 image, some reaching past its border.</summary>
    private static List<double[][]> Annotations(int seed, int count)
    {
        var random = new Random(seed);
        var annotations = new List<double[][]>();
        for (var a = 0; a < count; a++)
        {
            var parts = random.Next(4) == 0 ? 2 : 1;
            var polygons = new double[parts][];
            for (var p = 0; p < parts; p++)
            {
                var vertices = random.Next(3, 25);
                double cx = random.NextDouble() * 34 - 2, cy = random.NextDouble() * 24 - 2, radius = 1 + random.NextDouble() * 7;
                var xy = new double[2 * vertices];
                for (var i = 0; i < vertices; i++)
                {
                    var angle = 2 * Math.PI * i / vertices;
                    var r = radius * (1 - 0.5 * random.NextDouble());
                    xy[2 * i] = Math.Round(cx + r * Math.Cos(angle), 2);
                    xy[2 * i + 1] = Math.Round(cy + r * Math.Sin(angle), 2);
                }

                polygons[p] = xy;
            }

            annotations.Add(polygons);
        }

        return annotations;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(RleBlockStore.DefaultBlockLength)]
    public void Masks_in_shared_blocks_equal_masks_with_their_own_arrays(int blockLength)
    {
        // A block of 1 or 7 runs is shorter than most masks, so blocks roll over after every mask or
        // two and long masks get a block of their own; all of them must still read back intact.
        var store = new RleBlockStore(blockLength);
        var annotations = Annotations(seed: 3, count: 300);
        var stored = annotations.Select(a => store.FromPolygons(a, 20, 30)).ToList();

        long runs = 0;
        for (var i = 0; i < annotations.Count; i++)
        {
            var expected = Rle.FromPolygons(annotations[i], 20, 30);
            var actual = stored[i];
            Assert.Equal(expected.Counts.ToArray(), actual.Counts.ToArray());
            Assert.Equal((expected.Height, expected.Width), (actual.Height, actual.Width));
            Assert.Equal(expected.Area, actual.Area);
            Assert.Equal(expected.ToBbox(), actual.ToBbox());
            Assert.Equal(expected.ToCompressedString(), actual.ToCompressedString());
            Assert.Equal(expected.Decode().Data, actual.Decode().Data);
            Assert.Equal(expected.Area == 0 ? 0 : 1, Rle.Iou(actual, expected, gtIsCrowd: false));
            runs += expected.Counts.Length;
        }

        Assert.Equal(runs, store.RunCount);
    }

    [Fact]
    public void Merging_and_intersecting_masks_from_a_store_gives_what_array_masks_give()
    {
        var store = new RleBlockStore(blockLength: 5);
        var annotations = Annotations(seed: 9, count: 40);
        for (var i = 1; i < annotations.Count; i++)
        {
            Rle a = Rle.FromPolygons(annotations[i - 1], 20, 30), b = Rle.FromPolygons(annotations[i], 20, 30);
            Rle sa = store.FromPolygons(annotations[i - 1], 20, 30), sb = store.FromPolygons(annotations[i], 20, 30);
            Assert.Equal(Rle.Merge([a, b]).Counts.ToArray(), Rle.Merge([sa, sb]).Counts.ToArray());
            Assert.Equal(Rle.Merge([a, b], intersect: true).Counts.ToArray(), Rle.Merge([sa, sb], intersect: true).Counts.ToArray());
            Assert.Equal(Rle.IntersectionArea(a, b), Rle.IntersectionArea(sa, sb));
            Assert.Equal(Rle.UnionOf([a, b], 20, 30).Counts.ToArray(), Rle.UnionOf([sa, sb], 20, 30).Counts.ToArray());
        }
    }

    [Fact]
    public void Adding_a_mask_copies_its_runs_and_an_empty_mask_stays_empty()
    {
        var store = new RleBlockStore();
        var original = Rle.FromPolygon([1, 1, 8, 2, 4, 7], 10, 12);
        var copy = store.Add(original);
        Assert.Equal(original.Counts.ToArray(), copy.Counts.ToArray());

        var empty = store.Add(Rle.Empty(10, 12));
        Assert.Equal([120u], empty.Counts.ToArray());
        Assert.Equal(0, store.Add(Rle.Empty(0, 0)).Counts.Length);
    }

    [Fact]
    public void A_block_length_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RleBlockStore(0));
    }
}
