using System.Buffers.Binary;
using System.Runtime.InteropServices;
using CellSeg.Data.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace CellSeg.Data.Imaging;

/// <summary>
/// Reads and writes 8- and 16-bit grayscale TIFF and PNG files. Anything else (colour, palette,
/// alpha, other bit depths, damaged or truncated files) is refused with a <see cref="DataFormatException"/>
/// that names the file and says why, instead of being converted silently.
/// </summary>
/// <remarks>
/// Decoding is ImageSharp 2.1.13's. Where it is lenient, this class checks first: a PNG must end
/// with an IEND chunk and every TIFF strip must lie inside the file, because ImageSharp fills what
/// is missing from a truncated file with black without an error. A WhiteIsZero TIFF is accepted and
/// comes back as ImageSharp inverts it, so 0 is always black.
/// </remarks>
public static class GrayImageIO
{
    private const string Expected = "expected 8- or 16-bit grayscale";

    /// <summary>Reads a TIFF or PNG file holding one 8- or 16-bit grayscale image.</summary>
    /// <param name="path">The file; its content, not its extension, decides the format.</param>
    /// <param name="ct">Cancels the read.</param>
    /// <returns>The image with the file's own bit depth.</returns>
    /// <exception cref="DataFormatException">The file is not a complete 8- or 16-bit grayscale TIFF or PNG.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static async Task<GrayImage> ReadAsync(string path, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        if (bytes.Length == 0)
        {
            throw new DataFormatException(path, null, "file is empty; expected a TIFF or PNG image");
        }

        var format = Image.DetectFormat(Configuration.Default, bytes);
        if (format is TiffFormat)
        {
            return await ReadTiffAsync(path, bytes, ct).ConfigureAwait(false);
        }

        if (format is PngFormat)
        {
            return await ReadPngAsync(path, bytes, ct).ConfigureAwait(false);
        }

        var what = format is null ? "not an image ImageSharp recognises" : $"a {format.Name} image";
        throw new DataFormatException(path, null, $"file is {what}; expected a TIFF or PNG image");
    }

    /// <summary>
    /// Writes a grayscale TIFF (Deflate with horizontal differencing, BlackIsZero) at the image's bit depth.
    /// The file is written beside the target and renamed over it, so it is never left half-written.
    /// </summary>
    /// <exception cref="ArgumentException">The image is empty.</exception>
    public static Task WriteTiffAsync(GrayImage image, string path, CancellationToken ct = default)
    {
        CheckWritable(image);
        return AtomicFile.WriteAsync(path, (stream, token) => GrayTiffWriter.WriteAsync(image, stream, token), ct);
    }

    /// <summary>
    /// Writes a grayscale TIFF as <see cref="WriteTiffAsync(GrayImage, string, CancellationToken)"/> does, but to a
    /// stream and with a chosen Deflate level: writers of many images (synthetic data) trade file size
    /// for speed with <see cref="System.IO.Compression.CompressionLevel.Fastest"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The image is empty.</exception>
    public static Task WriteTiffAsync(GrayImage image, Stream stream, System.IO.Compression.CompressionLevel level, CancellationToken ct = default)
    {
        CheckWritable(image);
        ArgumentNullException.ThrowIfNull(stream);
        return GrayTiffWriter.WriteAsync(image, stream, ct, level);
    }

    /// <summary>
    /// Writes a grayscale PNG at the image's bit depth, through a temporary file renamed over the target.
    /// </summary>
    /// <exception cref="ArgumentException">The image is empty.</exception>
    public static Task WritePngAsync(GrayImage image, string path, CancellationToken ct = default)
    {
        CheckWritable(image);
        var encoder = new PngEncoder
        {
            ColorType = PngColorType.Grayscale,
            BitDepth = image.BitDepth == 8 ? PngBitDepth.Bit8 : PngBitDepth.Bit16,
        };
        return AtomicFile.WriteAsync(
            path,
            async (stream, token) =>
            {
                if (image.BitDepth == 8)
                {
                    using var img = Image.LoadPixelData<L8>(MemoryMarshal.Cast<byte, L8>(image.Pixels8.AsSpan()), image.Width, image.Height);
                    await img.SaveAsPngAsync(stream, encoder, token).ConfigureAwait(false);
                }
                else
                {
                    using var img = Image.LoadPixelData<L16>(MemoryMarshal.Cast<ushort, L16>(image.Pixels16.AsSpan()), image.Width, image.Height);
                    await img.SaveAsPngAsync(stream, encoder, token).ConfigureAwait(false);
                }
            },
            ct);
    }

    private static async Task<GrayImage> ReadPngAsync(string path, byte[] bytes, CancellationToken ct)
    {
        var info = await DecodeAsync(path, "PNG", () => Image.IdentifyAsync(Configuration.Default, new MemoryStream(bytes, false), ct)).ConfigureAwait(false);
        var png = info.Metadata.GetPngMetadata();
        var bits = png.BitDepth is { } depth ? (int)depth : info.PixelType.BitsPerPixel;
        var problem = png.ColorType switch
        {
            PngColorType.Grayscale when bits is 8 or 16 => null,
            PngColorType.Grayscale => $"image is {bits}-bit grayscale; {Expected}",
            PngColorType.GrayscaleWithAlpha => $"image is grayscale with alpha (2 channels); {Expected}",
            PngColorType.Rgb => $"image is RGB with 3 channels; {Expected}",
            PngColorType.RgbWithAlpha => $"image is RGBA with 4 channels; {Expected}",
            PngColorType.Palette => $"image is palette-colour (indexed, {bits}-bit); {Expected}",
            _ => $"PNG header gives no colour type; {Expected}",
        };
        if (problem is not null)
        {
            throw new DataFormatException(path, null, problem);
        }

        if (PngChunks.FindTruncation(bytes) is { } truncation)
        {
            throw new DataFormatException(path, null, truncation);
        }

        return bits == 8
            ? await LoadAsync<L8>(path, "PNG", bytes, ct).ConfigureAwait(false)
            : await LoadAsync<L16>(path, "PNG", bytes, ct).ConfigureAwait(false);
    }

    private static async Task<GrayImage> ReadTiffAsync(string path, byte[] bytes, CancellationToken ct)
    {
        CheckFirstDirectoryInsideFile(path, bytes);

        // Identifying a TIFF only yields bits per pixel; the photometric interpretation and samples
        // per pixel are in the frame metadata, which only a decode fills in. So decode at the bit
        // depth the header gives, then refuse what is not gray.
        var info = await DecodeAsync(path, "TIFF", () => Image.IdentifyAsync(Configuration.Default, new MemoryStream(bytes, false), ct)).ConfigureAwait(false);
        if (info.PixelType.BitsPerPixel == 16)
        {
            using var image16 = await DecodeAsync(path, "TIFF", () => Image.LoadAsync<L16>(Configuration.Default, new MemoryStream(bytes, false), ct)).ConfigureAwait(false);
            CheckTiff(path, image16, bytes.Length);
            return ToGrayImage(image16);
        }

        using var image8 = await DecodeAsync(path, "TIFF", () => Image.LoadAsync<L8>(Configuration.Default, new MemoryStream(bytes, false), ct)).ConfigureAwait(false);
        CheckTiff(path, image8, bytes.Length);
        return ToGrayImage(image8);
    }

    private static void CheckTiff(string path, Image image, long fileLength)
    {
        if (image.Frames.Count != 1)
        {
            throw new DataFormatException(path, null, $"TIFF holds {image.Frames.Count} pages; expected a single image");
        }

        var frame = image.Frames.RootFrame.Metadata;
        var tiff = frame.GetTiffMetadata();
        var samples = tiff.BitsPerSample ?? default;
        var channels = samples.Channels;
        var bits = samples.Channel0;
        var problem = tiff.PhotometricInterpretation switch
        {
            TiffPhotometricInterpretation.BlackIsZero or TiffPhotometricInterpretation.WhiteIsZero when channels > 1 =>
                $"image is grayscale with {channels} channels (extra samples such as alpha); {Expected}",
            TiffPhotometricInterpretation.BlackIsZero or TiffPhotometricInterpretation.WhiteIsZero when bits is not (8 or 16) =>
                $"image is {bits}-bit grayscale; {Expected}",
            TiffPhotometricInterpretation.BlackIsZero or TiffPhotometricInterpretation.WhiteIsZero => null,
            TiffPhotometricInterpretation.Rgb => $"image is RGB with {channels} channels; {Expected}",
            TiffPhotometricInterpretation.PaletteColor => $"image is palette-colour (indexed, {bits}-bit); {Expected}",
            null => $"TIFF gives no photometric interpretation; {Expected}",
            var other => $"image is {other} with {channels} channels; {Expected}",
        };
        if (problem is not null)
        {
            throw new DataFormatException(path, null, problem);
        }

        var exif = frame.ExifProfile;
        if (exif?.GetValue(ExifTag.SampleFormat)?.Value is { Length: > 0 } sampleFormat && sampleFormat[0] != 1)
        {
            var kind = sampleFormat[0] switch
            {
                2 => "signed integers",
                3 => "floating point",
                _ => $"sample format {sampleFormat[0]}",
            };
            throw new DataFormatException(path, null, $"image samples are {kind}; expected unsigned 8- or 16-bit grayscale");
        }

        CheckBlocksInsideFile(path, "strip", exif?.GetValue(ExifTag.StripOffsets)?.Value?.Select(n => (long)(uint)n).ToArray(), exif?.GetValue(ExifTag.StripByteCounts)?.Value, fileLength);
        CheckBlocksInsideFile(path, "tile", exif?.GetValue(ExifTag.TileOffsets)?.Value?.Select(n => (long)n).ToArray(), exif?.GetValue(ExifTag.TileByteCounts)?.Value, fileLength);
    }

    /// <summary>
    /// Writers such as libtiff put the image directory (IFD) after the pixel data, so a cut-off file
    /// usually loses it; ImageSharp then fails with an unhelpful message, hence this plain check.
    /// </summary>
    private static void CheckFirstDirectoryInsideFile(string path, byte[] bytes)
    {
        const int classicTiff = 42;
        if (bytes.Length < 8)
        {
            throw new DataFormatException(path, null, $"TIFF header needs 8 bytes but the file has {bytes.Length}: the file is truncated");
        }

        var little = bytes[0] == (byte)'I';
        var span = bytes.AsSpan();
        var version = little ? BinaryPrimitives.ReadUInt16LittleEndian(span[2..]) : BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        if (version != classicTiff)
        {
            return;
        }

        var offset = little ? BinaryPrimitives.ReadUInt32LittleEndian(span[4..]) : BinaryPrimitives.ReadUInt32BigEndian(span[4..]);
        if (offset + 2L > bytes.Length)
        {
            throw new DataFormatException(path, null, $"TIFF image directory starts at byte {offset} but the file ends at byte {bytes.Length}: the file is truncated");
        }
    }

    private static void CheckBlocksInsideFile(string path, string kind, long[]? offsets, Number[]? counts, long fileLength)
    {
        if (offsets is null || counts is null)
        {
            return;
        }

        for (var i = 0; i < Math.Min(offsets.Length, counts.Length); i++)
        {
            var end = offsets[i] + (uint)counts[i];
            if (end > fileLength)
            {
                throw new DataFormatException(
                    path,
                    $"{kind} {i}",
                    $"{kind} data runs to byte {end} but the file ends at byte {fileLength}: the file is truncated");
            }
        }
    }

    private static async Task<GrayImage> LoadAsync<TPixel>(string path, string formatName, byte[] bytes, CancellationToken ct)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using var image = await DecodeAsync(path, formatName, () => Image.LoadAsync<TPixel>(Configuration.Default, new MemoryStream(bytes, false), ct)).ConfigureAwait(false);
        return image switch
        {
            Image<L8> l8 => ToGrayImage(l8),
            Image<L16> l16 => ToGrayImage(l16),
            _ => throw new InvalidOperationException($"unexpected pixel type {typeof(TPixel).Name}"),
        };
    }

    private static GrayImage ToGrayImage(Image<L8> image)
    {
        var pixels = new byte[checked(image.Width * image.Height)];
        image.CopyPixelDataTo(MemoryMarshal.Cast<byte, L8>(pixels.AsSpan()));
        return new GrayImage(image.Width, image.Height, pixels);
    }

    private static GrayImage ToGrayImage(Image<L16> image)
    {
        var pixels = new ushort[checked(image.Width * image.Height)];
        image.CopyPixelDataTo(MemoryMarshal.Cast<ushort, L16>(pixels.AsSpan()));
        return new GrayImage(image.Width, image.Height, pixels);
    }

    /// <summary>Runs one ImageSharp call and turns whatever it throws about the content into a DataFormatException.</summary>
    private static async Task<T> DecodeAsync<T>(string path, string formatName, Func<Task<T>> decode)
    {
        T result;
        try
        {
            result = await decode().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new DataFormatException(path, null, $"cannot decode the {formatName} (damaged or truncated file?): {ex.Message}", ex);
        }

        return result ?? throw new DataFormatException(path, null, $"cannot decode the {formatName}: ImageSharp does not recognise its header");
    }

    private static void CheckWritable(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width == 0 || image.Height == 0)
        {
            throw new ArgumentException($"cannot write an empty {image.Width}x{image.Height} image", nameof(image));
        }
    }
}
