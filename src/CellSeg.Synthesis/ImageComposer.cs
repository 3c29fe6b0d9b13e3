namespace CellSeg.Synthesis;

/// <summary>
/// Composes synthetic images of one size: a real-texture background, then cells pasted one after
/// another at random positions, angles and flips. Visibility is decided before a cell is drawn: a
/// placement is refused when the new cell would show less than the minimum, or would push any cell
/// already there below it, or breaks the overlap rule. So every pasted cell stays annotated, and
/// its annotation is exactly the pixels where the label image shows it.
/// </summary>
/// <remarks>Not thread-safe: it owns scratch buffers. Use one per thread.</remarks>
public sealed class ImageComposer
{
    private const int MaxCells = ushort.MaxValue;

    private int[] _footprint = new int[1024];
    private byte[] _values = new byte[1024];
    private int[] _visible = new int[256];
    private int[] _minVisible = new int[256];
    private int[] _loss = new int[256];
    private int[] _touched = new int[256];

    /// <summary>
    /// Composes one image of <paramref name="cellType"/> with <paramref name="count"/> cells asked for.
    /// Everything random comes from <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The bank has no cells or backgrounds of that type, or the count is out of range.</exception>
    public ComposedImage Compose(CellBank bank, string cellType, int count, SynthesisOptions options, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(options);
        var cells = bank.CellsOf(cellType);
        var backgrounds = bank.BackgroundsOf(cellType);
        if (cells.Count == 0 || backgrounds.Count == 0)
        {
            throw new ArgumentException($"the cell bank has no {cellType} cells or backgrounds", nameof(cellType));
        }

        if (count is < 0 or > MaxCells)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"cells per image must be in 0..{MaxCells}, was {count}");
        }

        var random = new SeededRandom(seed);
        var backgroundIndex = random.Next(backgrounds.Count);
        var background = backgrounds[backgroundIndex];
        var width = options.Width ?? background.Width;
        var height = options.Height ?? background.Height;
        var image = new ComposedImage(width, height)
        {
            Requested = count,
            BackgroundIndex = backgroundIndex,
            BackgroundFlips = random.Next(4),
            BackgroundOffsetX = width < background.Width ? random.Next(background.Width - width + 1) : 0,
            BackgroundOffsetY = height < background.Height ? random.Next(background.Height - height + 1) : 0,
        };
        RenderBackground(background, image.BackgroundFlips, image.BackgroundOffsetX, image.BackgroundOffsetY, image.Pixels, width, height);
        EnsureLabelCapacity(count + 1);

        var clusters = options.Overlap == OverlapMode.Clustered ? ClusterCentres(ref random, options, count, width, height) : [];
        var spread = options.ClusterSpread > 0 ? options.ClusterSpread : 0.06 * Math.Min(width, height);
        for (var i = 0; i < count; i++)
        {
            var cell = cells[random.Next(cells.Count)];
            EnsureFootprintCapacity(cell);
            for (var attempt = 0; attempt < options.MaxAttempts; attempt++)
            {
                int cx, cy;
                if (clusters.Length > 0)
                {
                    var (kx, ky) = clusters[random.Next(clusters.Length)];
                    cx = Math.Clamp((int)Math.Round(kx + random.NextGaussian() * spread), 0, width - 1);
                    cy = Math.Clamp((int)Math.Round(ky + random.NextGaussian() * spread), 0, height - 1);
                }
                else
                {
                    cx = random.Next(width);
                    cy = random.Next(height);
                }

                int cos, sin;
                if (options.ArbitraryRotation)
                {
                    var angle = random.NextDouble() * 2 * Math.PI;
                    cos = (int)Math.Round(Math.Cos(angle) * 65536);
                    sin = (int)Math.Round(Math.Sin(angle) * 65536);
                }
                else
                {
                    (cos, sin) = random.Next(4) switch { 0 => (65536, 0), 1 => (0, 65536), 2 => (-65536, 0), _ => (0, -65536) };
                }

                var placement = new CellPlacement(cell, image.Placements.Count + 1, cx, cy, cos, sin, random.Next(2) == 1);
                if (TryPlace(image, placement, options))
                {
                    break;
                }
            }
        }

        return image;
    }

    /// <summary>
    /// Draws a background into an image of <paramref name="width"/> × <paramref name="height"/>: the
    /// background mirrored as <paramref name="flips"/> says (bit 0 left–right, bit 1 top–bottom), read
    /// from (<paramref name="offsetX"/>, <paramref name="offsetY"/>) on, reflected at its edges where the
    /// image is larger.
    /// </summary>
    public static void RenderBackground(SyntheticBackground background, int flips, int offsetX, int offsetY, Span<byte> destination, int width, int height)
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

    private static (double X, double Y)[] ClusterCentres(ref SeededRandom random, SynthesisOptions options, int count, int width, int height)
    {
        var k = options.ClusterCount > 0 ? options.ClusterCount : Math.Max(1, (int)Math.Round(count / 40.0));
        var centres = new (double, double)[k];
        for (var i = 0; i < k; i++)
        {
            centres[i] = (random.NextDouble() * width, random.NextDouble() * height);
        }

        return centres;
    }

    private bool TryPlace(ComposedImage image, CellPlacement placement, SynthesisOptions options)
    {
        var cell = placement.Cell;
        int width = image.Width, height = image.Height;
        int cw = cell.Width, ch = cell.Height, cos = placement.Cos, sin = placement.Sin;
        int ex = placement.HalfExtentX, ey = placement.HalfExtentY;
        var mask = cell.Mask;
        var patch = cell.Pixels;
        var labels = image.Labels;
        var footprint = _footprint;
        var values = _values;
        int total = 0, n = 0, overlap = 0;
        var noOverlap = options.Overlap == OverlapMode.None;

        // Gather the cell's pixels (and which it would cover) without drawing anything yet.
        for (var dy = -ey; dy <= ey; dy++)
        {
            var y = placement.CenterY + dy;
            var rowInside = (uint)y < (uint)height;
            var sx = -cos * ex + sin * dy + cw * 32768;
            var sy = sin * ex + cos * dy + ch * 32768;
            var x = placement.CenterX - ex;
            for (var dx = -ex; dx <= ex; dx++, x++, sx += cos, sy -= sin)
            {
                var ix = sx >> 16;
                var iy = sy >> 16;
                if ((uint)ix >= (uint)cw || (uint)iy >= (uint)ch)
                {
                    continue;
                }

                if (placement.Flip)
                {
                    ix = cw - 1 - ix;
                }

                var k = iy * cw + ix;
                if (mask[k] == 0)
                {
                    continue;
                }

                total++;
                if (!rowInside || (uint)x >= (uint)width)
                {
                    continue;
                }

                var p = y * width + x;
                if (labels[p] != 0)
                {
                    if (noOverlap)
                    {
                        return false;
                    }

                    overlap++;
                }

                footprint[n] = p;
                values[n] = patch[k];
                n++;
            }
        }

        var minVisible = MinVisible(total, options);
        if (n < minVisible || (options.Overlap == OverlapMode.Bounded && overlap > options.MaxOverlapFraction * n))
        {
            return false;
        }

        // What each covered cell would lose; refuse if any would fall below its minimum.
        var touched = 0;
        var ok = true;
        if (overlap > 0)
        {
            for (var i = 0; i < n; i++)
            {
                var l = labels[footprint[i]];
                if (l != 0 && _loss[l]++ == 0)
                {
                    _touched[touched++] = l;
                }
            }

            for (var t = 0; t < touched; t++)
            {
                var l = _touched[t];
                ok &= _visible[l] - _loss[l] >= _minVisible[l];
            }
        }

        if (ok)
        {
            for (var t = 0; t < touched; t++)
            {
                _visible[_touched[t]] -= _loss[_touched[t]];
            }

            var label = (ushort)placement.Label;
            var pixels = image.Pixels;
            for (var i = 0; i < n; i++)
            {
                pixels[footprint[i]] = values[i];
                labels[footprint[i]] = label;
            }

            _visible[label] = n;
            _minVisible[label] = minVisible;
            image.Placements.Add(placement);
        }

        for (var t = 0; t < touched; t++)
        {
            _loss[_touched[t]] = 0;
        }

        return ok;
    }

    private static int MinVisible(int total, SynthesisOptions options)
    {
        var byFraction = (int)Math.Ceiling(options.MinVisibleFraction * total);
        return Math.Max(1, Math.Max(byFraction, Math.Min(options.MinVisiblePixels, total)));
    }

    private void EnsureLabelCapacity(int labels)
    {
        if (_visible.Length < labels)
        {
            var size = Math.Max(labels, _visible.Length * 2);
            _visible = new int[size];
            _minVisible = new int[size];
            _loss = new int[size];
            _touched = new int[size];
        }
    }

    private void EnsureFootprintCapacity(BankCell cell)
    {
        // The box of any rotation fits in a square of side width + height + 5.
        var side = cell.Width + cell.Height + 5;
        if (_footprint.Length < side * side)
        {
            _footprint = new int[side * side];
            _values = new byte[side * side];
        }
    }
}
