using CellSeg.Data.Masks;

namespace CellSeg.Data.Tests.Masks;

public sealed class RleForegroundPixelsTests
{
    [Fact]
    public void Foreground_pixels_are_the_mask_s_set_pixels_column_by_column()
    {
        var random = new Random(7);
        var mask = new BinaryMask(13, 17);
        for (var i = 0; i < mask.Data.Length; i++)
        {
            mask.Data[i] = (byte)(random.Next(3) == 0 ? 1 : 0);
        }

        // Runs crossing column boundaries and touching the last pixel too.
        mask[16, 12] = 1;
        mask[0, 12] = 1;
        mask[1, 0] = 1;

        var expected = new List<(int, int)>();
        for (var x = 0; x < mask.Width; x++)
        {
            for (var y = 0; y < mask.Height; y++)
            {
                if (mask[x, y] != 0)
                {
                    expected.Add((x, y));
                }
            }
        }

        var walked = new List<(int, int)>();
        foreach (var pixel in Rle.Encode(mask).ForegroundPixels())
        {
            walked.Add(pixel);
        }

        Assert.Equal(expected, walked);
        var none = 0;
        foreach (var _ in Rle.Empty(4, 5).ForegroundPixels())
        {
            none++;
        }

        Assert.Equal(0, none);
    }
}
