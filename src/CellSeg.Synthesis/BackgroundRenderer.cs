namespace CellSeg.Synthesis;

/// <summary>
/// Draws a real-texture background into an image: mirrored, offset and reflected at its edges. Pure: the
/// same arguments give the same pixels, so anyone can re-render the background a composed image records.
/// </summary>
public static class BackgroundRenderer
{
    /// <summary>
    /// Draws a background into an image of <paramref name="width"/> × <paramref name="height"/>: the
    /// background mirrored as <paramref name="flips"/> says (bit 0 left–right, bit 1 top–bottom), read
    /// from (<paramref name="offsetX"/>, <paramref name="offsetY"/>) on, reflected at its edges where the
    /// image is larger.
    /// </summary>
    public static void Render(SyntheticBackground background, int flips, int offsetX, int offsetY, Span<byte> destination, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(background);
        int bw = background.Width, bh = background.Height;
        Span<int> columns = width <= 4096 ? stackalloc int[width] : new int[width];
        for (var x = 0; x < width; x++)
        {
            var c = Reflect(x + offsetX, bw);
            columns[x] = (flips & 1) != 0 ? bw - 1 - c : c;
        }

        var source = background.Pixels;
        for (var y = 0; y < height; y++)
        {
            var r = Reflect(y + offsetY, bh);
            r = (flips & 2) != 0 ? bh - 1 - r : r;
            var row = source.AsSpan(r * bw, bw);
            var target = destination.Slice(y * width, width);
            if ((flips & 1) == 0 && offsetX + width <= bw)
            {
                row.Slice(offsetX, width).CopyTo(target);
                continue;
            }

            for (var x = 0; x < width; x++)
            {
                target[x] = row[columns[x]];
            }
        }
    }

    private static int Reflect(int i, int n)
    {
        var m = i % (2 * n);
        return m < n ? m : 2 * n - 1 - m;
    }
}
