using System.Buffers.Binary;
using CellSeg.Data.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.PixelFormats;

namespace CellSeg.Data.Tests.Imaging;

public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Truncated_livecell_tiff_is_refused_naming_the_file()
    {
        var source = Path.Combine(TestData.LivecellSample, "images", "livecell_test_images", "A172_Phase_C7_1_00d20h00m_4.tif");
        var bytes = await File.ReadAllBytesAsync(source);
        var path = _temp.File("cut-short.tif");
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);

        var error = await Assert.ThrowsAsync<DataFormatException>(() => GrayImageIO.ReadAsync(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains("cut-short.tif", error.Message, StringComparison.Ordinal);
        Assert.Contains("image directory starts at byte 252420", error.Reason, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tiff_whose_strip_runs_past_the_end_is_refused_as_truncated()
    {
        // The writer puts the IFD first, so cutting the tail leaves a readable header but short strip
        // data, which ImageSharp on its own decodes as black without complaint.
        var path = _temp.File("short-strip.tif");
        await GrayImageIO.WriteTiffAsync(RoundTripTests.Gradient(37, 23, 16), path);
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..^10]);

        var error = await Assert.ThrowsAsync<DataFormatException>(() => GrayImageIO.ReadAsync(path));

        Assert.Contains("short-strip.tif", error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Reason, StringComparison.Ordinal);
        Assert.Equal("strip 0", error.Record);
    }

    [Fact]
    public async Task Text_file_named_tif_is_refused_naming_the_file()
    {
        var path = _temp.File("notes.tif");
        await File.WriteAllTextAsync(path, "these are not pixels\n");

        var error = await Assert.ThrowsAsync<DataFormatException>(() => GrayImageIO.ReadAsync(path));

        Assert.Contains("notes.tif", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected a TIFF or PNG image", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_file_is_refused()
    {
        var path = _temp.File("empty.png");
        await File.WriteAllBytesAsync(path, []);

        var error = await Assert.ThrowsAsync<DataFormatException>(() => GrayImageIO.ReadAsync(path));

        Assert.Contains("empty", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jpeg_is_refused_as_not_tiff_or_png()
    {
        var path = _temp.File("photo.jpg");
        using (var image = new Image<L8>(8, 8))
        {
            await image.SaveAsJpegAsync(path);
        }

        var error = await Assert.ThrowsAsync<DataFormatException>(() => GrayImageIO.ReadAsync(path));

        Assert.Equal("file is a JPEG image; expected a TIFF or PNG image", error.Reason);
    }

    [Fact]
    public async Task Rgb_png_is_refused_naming_the_file_and_its_channels()
    {
        var path = _temp.File("colour.png");
        using (var image = new Image<Rgb24>(6, 4, new Rgb24(10, 200, 30)))
        {
            await image.SaveAsPngAsync(path, new PngEncoder { ColorType = PngColorType.Rgb });
        }

        var error = await Assert.ThrowsAsync<DataFormatException>(() => GrayImageIO.ReadAsync(path));

        Assert.Contains("colour.png", error.Message, StringComparison.Ordinal);
        Assert.Equal("image is RGB with 3 channels; expected 8- or 16-bit grayscale", error.Reason);
    }

    [Theory]
    [InlineData(PngColorType.RgbWithAlpha, PngBitDepth.Bit8, "image is RGBA with 4 channels")]
    [InlineData(PngColorType.Palette, PngBitDepth.Bit8, "image is palette-colour (indexed, 8-bit)")]
    [InlineData(PngColorType.GrayscaleWithAlpha, PngBitDepth.Bit8, "image is grayscale with alpha (2 channels)")]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit1, "image is 1-bit grayscale")]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit4, "image is 4-bit grayscale")]
    public async Task Png_that_is_not_8_or_16_bit_gray_is_refused(PngColorType colorType, PngBitDepth bitDepth, string reason)
    {
        var path = _temp.File("not-gray.png");
        using (var image = new Image<Rgba32>(6, 4, new Rgba32(10, 200, 30, 128)))
        {
            await image.SaveAsPngAsync(path, new PngEncoder { ColorType = colorType, BitDepth = bitDepth });
        }

        var error = await Assert.ThrowsAsync<DataFormatException>(() => GrayImageIO.ReadAsync(path));

        Assert.Equal(reason + "; expected 8- or 16-bit grayscale", error.Reason);
    }

    [Theory]
    [InlineData(TiffPhotometricInterpretation.Rgb, TiffBitsPerPixel.Bit24, "image is RGB with 3 channels")]
    [InlineData(TiffPhotometricInterpretation.PaletteColor, TiffBitsPerPixel.Bit8, "image is palette-colour (indexed, 8-bit)")]
    [InlineData(TiffPhotometricInterpretation.BlackIsZero, TiffBitsPerPixel.Bit1, "image is 1-bit grayscale")]
    public async Task Tiff_that_is_not_8_or_16_bit_gray_is_refused(TiffPhotometricInterpretation photometric, TiffBitsPerPixel bits, string reason)
    {
        var path = _temp.File("not-gray.tif");
        using (var image = new Image<Rgb24>(6, 4, new Rgb24(10, 200, 30)))
        {
            await image.SaveAsTiffAsync(path, new TiffEncoder { PhotometricInterpretation = photometric, BitsPerPixel = bits });
        }

        var error = await Assert.ThrowsAsync<DataFormatException>(() => GrayImageIO.ReadAsync(path));

        Assert.Contains("not-gray.tif", error.Message, StringComparison.Ordinal);
        Assert.Equal(reason + "; expected 8- or 16-bit grayscale", error.Reason);
    }

    [Fact]
    public async Task Png_cut_between_chunks_is_refused_though_ImageSharp_would_decode_it()
    {
        var path = _temp.File("no-end.png");
        await GrayImageIO.WritePngAsync(RoundTripTests.Gradient(37, 23, 8), path);
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..^12]);   // drop the IEND chunk, nothing else
        using (var lenient = Image.Load<L8>(path))
        {
            Assert.Equal(37, lenient.Width);
        }

        var error = await Assert.ThrowsAsync<DataFormatException>(() => GrayImageIO.ReadAsync(path));

        Assert.Contains("no-end.png", error.Message, StringComparison.Ordinal);
        Assert.Contains("without an IEND chunk", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Png_cut_inside_a_chunk_is_refused()
    {
        var path = _temp.File("cut.png");
        await GrayImageIO.WritePngAsync(RoundTripTests.Gradient(37, 23, 16), path);
        var bytes = await File.ReadAllBytesAsync(path);
        var idat = IndexOfChunk(bytes, "IDAT");
        await File.WriteAllBytesAsync(path, bytes[..(idat + 20)]);

        var error = await Assert.ThrowsAsync<DataFormatException>(() => GrayImageIO.ReadAsync(path));

        Assert.Contains("cut.png", error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_throws_FileNotFoundException()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() => GrayImageIO.ReadAsync(_temp.File("absent.tif")));
    }

    private static int IndexOfChunk(byte[] png, string type)
    {
        var position = 8;
        while (System.Text.Encoding.ASCII.GetString(png, position + 4, 4) != type)
        {
            position += 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
        }

        return position;
    }
}
