using CellSeg.Data.Imaging;

namespace CellSeg.Data.Tests.Imaging;

public sealed class GrayImageTests
{
    [Fact]
    public void Pixels_are_row_major_and_the_indexer_reads_either_depth()
    {
        var eight = new GrayImage(3, 2, [1, 2, 3, 4, 5, 6]);
        var sixteen = new GrayImage(3, 2, new ushort[] { 1, 2, 3, 4, 5, 60000 });

        Assert.Equal((6, 8, 255), (eight[2, 1], eight.BitDepth, eight.MaxValue));
        Assert.Equal((60000, 16, 65535), (sixteen[2, 1], sixteen.BitDepth, sixteen.MaxValue));
        Assert.Equal(4, sixteen[0, 1]);
    }

    [Fact]
    public void Pixel_array_of_the_wrong_length_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new GrayImage(3, 2, new byte[5]));
    }

    [Fact]
    public void Asking_for_the_other_depth_or_an_out_of_range_value_throws()
    {
        var image = GrayImage.Create8(2, 2);

        Assert.Throws<InvalidOperationException>(() => image.Pixels16);
        Assert.Throws<ArgumentOutOfRangeException>(() => image[0, 0] = 256);
        Assert.Throws<ArgumentOutOfRangeException>(() => image[2, 0]);
    }
}
