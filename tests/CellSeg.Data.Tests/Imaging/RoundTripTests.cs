using CellSeg.Data.Imaging;

namespace CellSeg.Data.Tests.Imaging;

public sealed class RoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, int> FormatsAndDepths() => new()
    {
        { "tif", 8 },
        { "tif", 16 },
        { "png", 8 },
        { "png", 16 },
    };

    [Theory]
    [MemberData(nameof(FormatsAndDepths))]
    public async Task Written_gradient_reads_back_identical(string format, int bitDepth)
    {
        var image = Gradient(37, 23, bitDepth);
        var path = _temp.File($"gradient{bitDepth}.{format}");

        await Write(format, image, path);
        var back = await GrayImageIO.ReadAsync(path);

        AssertSamePixels(image, back);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public async Task Written_tiff_decodes_identically_with_libtiff(int bitDepth)
    {
        var image = Gradient(37, 23, bitDepth);
        var path = _temp.File($"gradient{bitDepth}.tif");

        await GrayImageIO.WriteTiffAsync(image, path);

        AssertSamePixels(image, LibTiff.Decode(path));
    }

    [Fact]
    public async Task Tiff_of_several_strips_round_trips_through_both_decoders()
    {
        // 300 x 250 x 2 bytes is about 150 KB, so the writer splits it into three 64 KiB strips.
        var image = Gradient(300, 250, 16);
        var path = _temp.File("strips.tif");

        await GrayImageIO.WriteTiffAsync(image, path);

        AssertSamePixels(image, await GrayImageIO.ReadAsync(path));
        AssertSamePixels(image, LibTiff.Decode(path));
    }

    [Theory]
    [InlineData("tif")]
    [InlineData("png")]
    public async Task Write_replaces_an_existing_file_and_leaves_no_temporary_file(string format)
    {
        var path = _temp.File($"image.{format}");
        await File.WriteAllTextAsync(path, "old content");
        var image = Gradient(5, 4, 8);

        await Write(format, image, path);

        AssertSamePixels(image, await GrayImageIO.ReadAsync(path));
        Assert.Equal([path], Directory.GetFiles(_temp.Path));
    }

    [Theory]
    [InlineData("tif")]
    [InlineData("png")]
    public async Task Cancelled_write_keeps_the_old_file_and_leaves_no_temporary_file(string format)
    {
        var path = _temp.File($"image.{format}");
        await File.WriteAllTextAsync(path, "old content");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => format == "tif"
            ? GrayImageIO.WriteTiffAsync(Gradient(37, 23, 16), path, cancelled.Token)
            : GrayImageIO.WritePngAsync(Gradient(37, 23, 16), path, cancelled.Token));

        Assert.Equal("old content", await File.ReadAllTextAsync(path));
        Assert.Equal([path], Directory.GetFiles(_temp.Path));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public async Task WhiteIsZero_tiff_reads_inverted_so_that_zero_is_black(int bitDepth)
    {
        var image = Gradient(37, 23, bitDepth);
        var path = _temp.File("white-is-zero.tif");
        await GrayImageIO.WriteTiffAsync(image, path);
        var bytes = await File.ReadAllBytesAsync(path);
        var photometric = PhotometricEntryValueOffset(bytes);
        Assert.Equal(1, bytes[photometric]);
        bytes[photometric] = 0;
        await File.WriteAllBytesAsync(path, bytes);

        var back = await GrayImageIO.ReadAsync(path);

        Assert.Equal(bitDepth, back.BitDepth);
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                Assert.Equal(image.MaxValue - image[x, y], back[x, y]);
            }
        }
    }

    /// <summary>Byte offset of the value of tag 262 (PhotometricInterpretation) in a little-endian TIFF's first IFD.</summary>
    private static int PhotometricEntryValueOffset(byte[] tiff)
    {
        var ifd = BitConverter.ToInt32(tiff, 4);
        for (var i = 0; i < BitConverter.ToUInt16(tiff, ifd); i++)
        {
            var entry = ifd + 2 + 12 * i;
            if (BitConverter.ToUInt16(tiff, entry) == 262)
            {
                return entry + 8;
            }
        }

        throw new InvalidOperationException("no PhotometricInterpretation tag");
    }

    private static Task Write(string format, GrayImage image, string path) =>
        format == "tif" ? GrayImageIO.WriteTiffAsync(image, path) : GrayImageIO.WritePngAsync(image, path);

    /// <summary>A diagonal ramp over the whole range, with both extremes, so byte order and scaling errors show.</summary>
    internal static GrayImage Gradient(int width, int height, int bitDepth)
    {
        var image = bitDepth == 8 ? GrayImage.Create8(width, height) : GrayImage.Create16(width, height);
        var max = image.MaxValue;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = (int)((long)(x * height + y * width) * max / (2L * width * height)) ^ (x & 1);
            }
        }

        image[0, 0] = 0;
        image[width - 1, height - 1] = max;
        return image;
    }

    private static void AssertSamePixels(GrayImage expected, GrayImage actual)
    {
        Assert.Equal((expected.Width, expected.Height, expected.BitDepth), (actual.Width, actual.Height, actual.BitDepth));
        if (expected.BitDepth == 8)
        {
            Assert.Equal(expected.Pixels8, actual.Pixels8);
        }
        else
        {
            Assert.Equal(expected.Pixels16, actual.Pixels16);
        }
    }
}
