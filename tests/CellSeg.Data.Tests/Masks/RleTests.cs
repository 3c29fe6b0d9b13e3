using CellSeg.Data.Masks;

namespace CellSeg.Data.Tests.Masks;

public sealed class RleTests
{
    [Fact]
    public void Encoding_runs_column_by_column_starting_with_background()
    {
        // 3x2 (h x w): column 0 = [1,1,0], column 1 = [0,1,1]
        var mask = new BinaryMask(3, 2, [1, 0, 1, 1, 0, 1]);
        var rle = Rle.Encode(mask);
        Assert.Equal([0u, 2u, 2u, 2u], rle.Counts.ToArray());
        Assert.Equal(4, rle.Area);
        Assert.Equal(mask.Data, rle.Decode().Data);
    }

    [Fact]
    public void Box_of_a_run_crossing_columns_spans_the_full_height()
    {
        // pycocotools' rleToBbox: a run going from the bottom of column 0 into column 1 makes the box full-height.
        var rle = new Rle(4, 3, [3, 2, 7]);
        Assert.Equal(new BoundingBox(0, 0, 2, 4), rle.ToBbox());
    }

    [Fact]
    public void Merge_and_union_give_the_same_pixels_and_intersect_gives_the_overlap()
    {
        var a = Rle.FromPolygon([1, 1, 8, 1, 8, 8, 1, 8], 12, 12);
        var b = Rle.FromPolygon([5, 5, 11, 5, 11, 11, 5, 11], 12, 12);
        var union = Rle.Merge([a, b]);
        var painted = Rle.UnionOf([a, b], 12, 12);
        Assert.Equal(union.Counts.ToArray(), painted.Counts.ToArray());
        var intersection = Rle.Merge([a, b], intersect: true);
        Assert.Equal(Rle.IntersectionArea(a, b), intersection.Area);
        Assert.Equal(a.Area + b.Area - intersection.Area, union.Area);
        Assert.Equal(intersection.Area / (double)union.Area, Rle.Iou(a, b, gtIsCrowd: false), 12);
        Assert.Equal(intersection.Area / (double)a.Area, Rle.Iou(a, b, gtIsCrowd: true), 12);
    }

    [Fact]
    public void Disjoint_masks_have_zero_iou_and_different_sizes_minus_one()
    {
        var a = Rle.FromPolygon([0, 0, 3, 0, 3, 3], 10, 10);
        var b = Rle.FromPolygon([6, 6, 9, 6, 9, 9], 10, 10);
        Assert.Equal(0, Rle.Iou(a, b, false));
        var c = Rle.FromPolygon([0, 0, 3, 0, 3, 3], 10, 11);
        Assert.Equal(-1, Rle.Iou(a, c, false));
    }

    [Fact]
    public void Sorted_positions_encode_like_a_bitmap()
    {
        var random = new Random(3);
        var mask = new BinaryMask(7, 9);
        for (var i = 0; i < mask.Data.Length; i++)
        {
            mask.Data[i] = (byte)(random.Next(3) == 0 ? 1 : 0);
        }

        mask[8, 6] = 1; // last pixel in column-major order
        var positions = Enumerable.Range(0, mask.Data.Length).Where(i => mask.Data[i] != 0).Select(i => i % 9 * 7 + i / 9).Order().ToArray();
        Assert.Equal(Rle.Encode(mask).Counts.ToArray(), Rle.FromSortedPositions(positions, 7, 9).Counts.ToArray());
        Assert.Equal([63u], Rle.FromSortedPositions([], 7, 9).Counts.ToArray());
    }

    [Theory]
    [InlineData(new uint[] { 0, 5, 3, 100000, 2, 1, 7 })]
    [InlineData(new uint[] { 366080 })]
    [InlineData(new uint[] { 10, 20, 5, 40, 1, 2, 300, 4, 60000 })]
    public void Compressed_strings_round_trip_including_negative_deltas(uint[] counts)
    {
        var text = RleString.Encode(counts);
        Assert.Equal(counts, RleString.Decode(text));
    }

    [Fact]
    public void Compressed_string_that_stops_mid_number_is_rejected()
    {
        // 'P' has the continuation bit set, so a number follows that never comes.
        var ex = Assert.Throws<FormatException>(() => RleString.Decode("P"));
        Assert.Contains("ends in the middle of a number", ex.Message);
    }
}
