namespace CellSeg.Data.Imaging;

/// <summary>
/// A single-channel image of unsigned 8- or 16-bit samples, stored row by row (index y·width + x).
/// An 8-bit image keeps its pixels in <see cref="Pixels8"/>, a 16-bit one in <see cref="Pixels16"/>,
/// so a LIVECell image costs one byte per pixel and nothing is ever rescaled behind the caller's back.
/// </summary>
public sealed class GrayImage
{
    private readonly byte[]? _pixels8;
    private readonly ushort[]? _pixels16;

    /// <summary>Wraps 8-bit row-major pixels (not copied).</summary>
    /// <exception cref="ArgumentException">The array does not hold width × height pixels.</exception>
    public GrayImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        CheckSize(width, height, pixels.Length);
        Width = width;
        Height = height;
        _pixels8 = pixels;
    }

    /// <summary>Wraps 16-bit row-major pixels (not copied).</summary>
    /// <exception cref="ArgumentException">The array does not hold width × height pixels.</exception>
    public GrayImage(int width, int height, ushort[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        CheckSize(width, height, pixels.Length);
        Width = width;
        Height = height;
        _pixels16 = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Bits per sample: 8 or 16.</summary>
    public int BitDepth => _pixels8 is null ? 16 : 8;

    /// <summary>The largest sample value the bit depth can hold: 255 or 65535.</summary>
    public int MaxValue => _pixels8 is null ? ushort.MaxValue : byte.MaxValue;

    /// <summary>The pixels of an 8-bit image, row by row.</summary>
    /// <exception cref="InvalidOperationException">The image is 16-bit.</exception>
    public byte[] Pixels8 => _pixels8 ?? throw new InvalidOperationException($"the image is 16-bit; use {nameof(Pixels16)}");

    /// <summary>The pixels of a 16-bit image, row by row.</summary>
    /// <exception cref="InvalidOperationException">The image is 8-bit.</exception>
    public ushort[] Pixels16 => _pixels16 ?? throw new InvalidOperationException($"the image is 8-bit; use {nameof(Pixels8)}");

    /// <summary>The sample at column x, row y, whatever the bit depth.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value outside 0..<see cref="MaxValue"/> is set.</exception>
    public int this[int x, int y]
    {
        get => _pixels8 is not null ? _pixels8[Index(x, y)] : _pixels16![Index(x, y)];
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
            if (_pixels8 is not null)
            {
                _pixels8[Index(x, y)] = (byte)value;
            }
            else
            {
                _pixels16![Index(x, y)] = (ushort)value;
            }
        }
    }

    /// <summary>Creates an all-zero 8-bit image.</summary>
    public static GrayImage Create8(int width, int height) => new(width, height, new byte[PixelCount(width, height)]);

    /// <summary>Creates an all-zero 16-bit image.</summary>
    public static GrayImage Create16(int width, int height) => new(width, height, new ushort[PixelCount(width, height)]);

    /// <summary>The mean sample value (0 for an empty image).</summary>
    public double Mean()
    {
        long sum = 0;
        if (_pixels8 is not null)
        {
            foreach (var p in _pixels8)
            {
                sum += p;
            }
        }
        else
        {
            foreach (var p in _pixels16!)
            {
                sum += p;
            }
        }

        var n = (long)Width * Height;
        return n == 0 ? 0 : (double)sum / n;
    }

    /// <inheritdoc />
    public override string ToString() => $"GrayImage {Width}x{Height}, {BitDepth}-bit";

    private int Index(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x}, {y}) is outside the {Width}x{Height} image");
        }

        return y * Width + x;
    }

    private static int PixelCount(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        return checked(width * height);
    }

    private static void CheckSize(int width, int height, int length)
    {
        if (length != PixelCount(width, height))
        {
            throw new ArgumentException($"the pixel array holds {length} samples, a {width}x{height} image needs {(long)width * height}", "pixels");
        }
    }
}
