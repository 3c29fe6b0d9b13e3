namespace CellSeg.Data.Masks;

/// <summary>A row-major image of bytes, one per pixel: 0 is background, anything else foreground.</summary>
public sealed class BinaryMask
{
    /// <summary>Creates an all-background mask.</summary>
    public BinaryMask(int height, int width)
        : this(height, width, new byte[checked(height * width)])
    {
    }

    /// <summary>Wraps existing row-major pixel data (not copied).</summary>
    public BinaryMask(int height, int width, byte[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != height * width)
        {
            throw new ArgumentException($"data holds {data.Length} bytes, a {width}x{height} mask needs {height * width}", nameof(data));
        }

        Height = height;
        Width = width;
        Data = data;
    }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Pixels, row by row.</summary>
    public byte[] Data { get; }

    /// <summary>Pixel at column x, row y.</summary>
    public byte this[int x, int y]
    {
        get => Data[y * Width + x];
        set => Data[y * Width + x] = value;
    }

    /// <summary>Number of foreground pixels.</summary>
    public long CountForeground()
    {
        long n = 0;
        foreach (var b in Data)
        {
            if (b != 0)
            {
                n++;
            }
        }

        return n;
    }
}
