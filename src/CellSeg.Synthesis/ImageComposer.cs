using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>Arbitrary rotation draws one of this many angles (steps of 0.088°), from a table.</summary>
    private const int AngleSteps = 4096;

    private static readonly int[] CosTable = Enumerable.Range(0, AngleSteps).Select(i => (int)Math.Round(Math.Cos(2 * Math.PI * i / AngleSteps) * 65536)).ToArray();

    private const int Probes = 16;

    private readonly int[] _probeX = new int[Probes];
    private readonly int[] _probeY = new int[Probes];
    private int _probeCount;
    private byte[] _shapeValues = new byte[1024];
    private int[] _runDy = new int[256];
    private int[] _runDx = new int[256];
    private int[] _runLength = new int[256];
    private int[] _visible = new int[256];
    private int[] _minVisible = new int[256];
    private int[] _loss = new int[256];
    private int[] _touched = new int[256];

    /// <summary>
    /// Composes one image of <paramref name="cellType"/> with <paramref name="count"/> cells asked for.
    /// Everything random comes from <paramref name="seed"/>. Pass the previous result as
    /// <paramref name="reuse"/> to draw into its buffers instead of allocating new ones (it is overwritten).
    /// </summary>
    /// <exception cref="ArgumentException">The bank has no cells or backgrounds of that type, or the count is out of range.</exception>
    public ComposedImage Compose(CellBank bank, string cellType, int count, SynthesisOptions options, ulong seed, ComposedImage? reuse = null)
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
        var image = reuse is not null && reuse.Width == width && reuse.Height == height ? reuse : new ComposedImage(width, height);
        if (ReferenceEquals(image, reuse))
        {
            Array.Clear(image.Labels);
            image.Placements.Clear();
        }

        image.Requested = count;
        image.BackgroundIndex = backgroundIndex;
        image.BackgroundFlips = random.Next(4);
        image.BackgroundOffsetX = width < background.Width ? random.Next(background.Width - width + 1) : 0;
        image.BackgroundOffsetY = height < background.Height ? random.Next(background.Height - height + 1) : 0;
        RenderBackground(background, image.BackgroundFlips, image.BackgroundOffsetX, image.BackgroundOffsetY, image.Pixels, width, height);
        EnsureLabelCapacity(count + 1);

        var clusters = options.Overlap == OverlapMode.Clustered ? ClusterCentres(ref random, options, count, width, height) : [];
        var spread = options.ClusterSpread > 0 ? options.ClusterSpread : 0.06 * Math.Min(width, height);
        var failuresInARow = 0;
        for (var i = 0; i < count && failuresInARow < options.FullAfterFailures; i++)
        {
            var cell = cells[random.Next(cells.Count)];
            EnsureFootprintCapacity(cell);
            failuresInARow++;

            // Angle and flip are drawn once per cell, and the rotated cell is rasterised once; the attempts
            // then only move it, each costing a pass over its pixels rather than a new rotation.
            int cos, sin;
            if (options.ArbitraryRotation)
            {
                var angle = random.Next(AngleSteps);
                cos = CosTable[angle];
                sin = CosTable[(angle + 3 * AngleSteps / 4) % AngleSteps];
            }
            else
            {
                (cos, sin) = random.Next(4) switch { 0 => (65536, 0), 1 => (0, 65536), 2 => (-65536, 0), _ => (0, -65536) };
            }

            var flip = random.Next(2) == 1;
            var placement = new CellPlacement(cell, 0, 0, 0, cos, sin, flip);
            ForwardProbes(placement);
            Shape? shape = null;
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

                // A quick look at 16 points of the cell first: most crowded positions fail here, before the
                // cell is rasterised or its pixels visited. It only ever refuses more (accepted cells still
                // meet every rule exactly).
                if (Crowded(image.Labels, width, height, cx, cy, options))
                {
                    continue;
                }

                shape ??= Rasterise(placement);
                if (TryPlace(image, shape.Value, cx, cy, options))
                {
                    image.Placements.Add(placement with { Label = image.Placements.Count + 1, CenterX = cx, CenterY = cy });
                    failuresInARow = 0;
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

    /// <summary>
    /// The cell's pixels under a rotation and flip, as horizontal runs relative to the centre pixel, with
    /// their values in run order, plus a few probe pixels spread over the cell. Only the span of dx whose
    /// source point falls inside the patch is visited per row (exact integer bounds), so the patch is
    /// read without bounds checks.
    /// </summary>
    private Shape Rasterise(CellPlacement placement)
    {
        var cell = placement.Cell;
        int cw = cell.Width, ch = cell.Height, cos = placement.Cos, sin = placement.Sin;
        int ex = placement.HalfExtentX, ey = placement.HalfExtentY;
        ref var maskRef = ref MemoryMarshal.GetArrayDataReference(cell.Mask);
        ref var patchRef = ref MemoryMarshal.GetArrayDataReference(cell.Pixels);
        ref var valueRef = ref MemoryMarshal.GetArrayDataReference(_shapeValues);
        long wFixed = (long)cw << 16, hFixed = (long)ch << 16;
        double inverseCos = cos == 0 ? 0 : 1.0 / cos, inverseMinusSin = sin == 0 ? 0 : -1.0 / sin;
        int m = 0, runs = 0, minX = int.MaxValue, maxX = int.MinValue, minY = int.MaxValue, maxY = int.MinValue;
        for (var dy = -ey; dy <= ey; dy++)
        {
            long bx = (long)sin * dy + cw * 32768L, by = (long)cos * dy + ch * 32768L;
            var (lo1, hi1) = Span(cos, inverseCos, bx, wFixed);
            var (lo2, hi2) = Span(-sin, inverseMinusSin, by, hFixed);
            var lo = (int)Math.Max(Math.Max(lo1, lo2), -ex);
            var hi = (int)Math.Min(Math.Min(hi1, hi2), ex);
            if (lo > hi)
            {
                continue;
            }

            var sx = (int)(cos * (long)lo + bx);
            var sy = (int)(-sin * (long)lo + by);
            var stepX = cos;
            if (placement.Flip)
            {
                // Mirroring the column index: (cw·65536 − 1 − sx) >> 16 = cw − 1 − (sx >> 16) inside the patch.
                sx = (int)(wFixed - 1 - sx);
                stepX = -cos;
            }

            // Alternate between skipping texels outside the cell and copying a run of texels inside it.
            var dx = lo;
            while (dx <= hi)
            {
                while (dx <= hi && Unsafe.Add(ref maskRef, (sy >> 16) * cw + (sx >> 16)) == 0)
                {
                    dx++;
                    sx += stepX;
                    sy -= sin;
                }

                if (dx > hi)
                {
                    break;
                }

                var runStart = dx;
                minX = Math.Min(minX, dx);
                int k;
                while (dx <= hi && Unsafe.Add(ref maskRef, k = (sy >> 16) * cw + (sx >> 16)) != 0)
                {
                    Unsafe.Add(ref valueRef, m++) = Unsafe.Add(ref patchRef, k);
                    dx++;
                    sx += stepX;
                    sy -= sin;
                }

                AddRun(ref runs, dy, runStart, dx - runStart);
            }

            if (runs > 0 && _runDy[runs - 1] == dy)
            {
                minY = Math.Min(minY, dy);
                maxY = dy;
                maxX = Math.Max(maxX, _runDx[runs - 1] + _runLength[runs - 1] - 1);
            }
        }

        return new Shape(m, runs, minX, maxX, minY, maxY);
    }

    /// <summary>Rotates the cell's probe points forward (16.16 fixed point, rounded) into offsets from the centre.</summary>
    private void ForwardProbes(CellPlacement placement)
    {
        var probes = placement.Cell.Probes;
        long c = placement.Cos, s = placement.Sin;
        var flip = placement.Flip ? -1 : 1;
        _probeCount = probes.Length / 2;
        for (var i = 0; i < _probeCount; i++)
        {
            long ux = flip * probes[2 * i], uy = probes[2 * i + 1];
            _probeX[i] = (int)((c * ux - s * uy + 65536) >> 17);
            _probeY[i] = (int)((s * ux + c * uy + 65536) >> 17);
        }
    }

    /// <summary>
    /// Whether more probe points land on other cells than the overlap rule could accept (any, for
    /// <see cref="OverlapMode.None"/>). Clustered placement allows overlap but refuses a cell lying
    /// almost wholly on others (over 3/4 of its probes), which would rarely leave those visible enough.
    /// </summary>
    private bool Crowded(ushort[] labels, int width, int height, int cx, int cy, SynthesisOptions options)
    {
        var allowed = options.Overlap switch
        {
            OverlapMode.None => 0,
            OverlapMode.Bounded => (int)(options.MaxOverlapFraction * _probeCount),
            _ => _probeCount * 3 / 4,
        };
        var covered = 0;
        for (var q = 0; q < _probeCount; q++)
        {
            int x = cx + _probeX[q], y = cy + _probeY[q];
            if ((uint)x < (uint)width && (uint)y < (uint)height && labels[y * width + x] != 0 && ++covered > allowed)
            {
                return true;
            }
        }

        return false;
    }

    private void AddRun(ref int runs, int dy, int dx, int length)
    {
        if (runs == _runDy.Length)
        {
            Array.Resize(ref _runDy, runs * 2);
            Array.Resize(ref _runDx, runs * 2);
            Array.Resize(ref _runLength, runs * 2);
        }

        _runDy[runs] = dy;
        _runDx[runs] = dx;
        _runLength[runs] = length;
        runs++;
    }

    private bool TryPlace(ComposedImage image, Shape shape, int cx, int cy, SynthesisOptions options)
    {
        int width = image.Width, height = image.Height, total = shape.Count;
        var labels = image.Labels;
        var inside = cx + shape.MinX >= 0 && cx + shape.MaxX < width && cy + shape.MinY >= 0 && cy + shape.MaxY < height;

        var noOverlap = options.Overlap == OverlapMode.None;
        int n = 0, overlap = 0, touched = 0;
        for (var r = 0; r < shape.Runs; r++)
        {
            var (p, length, _) = Clip(r, cx, cy, width, height, inside);
            if (length <= 0)
            {
                continue;
            }

            n += length;
            var run = labels.AsSpan(p, length);
            var first = run.IndexOfAnyExcept((ushort)0);
            if (first < 0)
            {
                continue;
            }

            if (noOverlap)
            {
                ResetLoss(touched);
                return false;
            }

            for (var i = first; i < run.Length; i++)
            {
                var under = run[i];
                if (under == 0)
                {
                    continue;
                }

                // Track what each covered cell loses as we go: the moment one would show less than its
                // minimum, the placement is refused without looking at the rest.
                if ((_loss[under]++ == 0 && AddTouched(under, ref touched)) || _visible[under] - _loss[under] < _minVisible[under])
                {
                    ResetLoss(touched);
                    return false;
                }

                overlap++;
            }
        }

        var minVisible = MinVisible(total, options);
        if (n < minVisible || (options.Overlap == OverlapMode.Bounded && overlap > options.MaxOverlapFraction * n))
        {
            ResetLoss(touched);
            return false;
        }

        for (var t = 0; t < touched; t++)
        {
            _visible[_touched[t]] -= _loss[_touched[t]];
        }

        ResetLoss(touched);
        var label = (ushort)(image.Placements.Count + 1);
        var pixels = image.Pixels;
        for (int r = 0, valueStart = 0; r < shape.Runs; valueStart += _runLength[r], r++)
        {
            var (p, length, skipped) = Clip(r, cx, cy, width, height, inside);
            if (length <= 0)
            {
                continue;
            }

            _shapeValues.AsSpan(valueStart + skipped, length).CopyTo(pixels.AsSpan(p, length));
            labels.AsSpan(p, length).Fill(label);
        }

        _visible[label] = n;
        _minVisible[label] = minVisible;
        return true;
    }

    /// <summary>Run <paramref name="r"/> placed at the centre and clipped to the image: first pixel index, length (≤ 0: nothing inside), pixels cut on the left.</summary>
    private (int Start, int Length, int Skipped) Clip(int r, int cx, int cy, int width, int height, bool inside)
    {
        int y = cy + _runDy[r], x0 = cx + _runDx[r], length = _runLength[r];
        if (inside)
        {
            return (y * width + x0, length, 0);
        }

        if ((uint)y >= (uint)height)
        {
            return (0, 0, 0);
        }

        var skipped = Math.Max(0, -x0);
        var end = Math.Min(width, x0 + length);
        return (y * width + x0 + skipped, end - x0 - skipped, skipped);
    }

    private bool AddTouched(int label, ref int touched)
    {
        _touched[touched++] = label;
        return false;
    }

    private void ResetLoss(int touched)
    {
        for (var t = 0; t < touched; t++)
        {
            _loss[_touched[t]] = 0;
        }
    }

    /// <summary>
    /// The dx with 0 ≤ a·dx + b &lt; m, as an inclusive range (empty when lo &gt; hi). The bounds are
    /// estimated in floating point (integer division per row would cost more than the row's pixels) and
    /// then corrected with exact integer tests, so the range is exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (long Lo, long Hi) Span(long a, double inverse, long b, long m)
    {
        if (a == 0)
        {
            return b >= 0 && b < m ? (long.MinValue / 4, long.MaxValue / 4) : (1, 0);
        }

        double t1 = -b * inverse, t2 = (m - 1 - b) * inverse;
        var lo = (long)Math.Ceiling(Math.Min(t1, t2));
        var hi = (long)Math.Floor(Math.Max(t1, t2));
        while (lo <= hi && !Inside(a, b, m, lo))
        {
            lo++;
        }

        while (Inside(a, b, m, lo - 1))
        {
            lo--;
        }

        while (hi >= lo && !Inside(a, b, m, hi))
        {
            hi--;
        }

        while (Inside(a, b, m, hi + 1))
        {
            hi++;
        }

        return (lo, hi);
    }

    private static bool Inside(long a, long b, long m, long dx)
    {
        var v = a * dx + b;
        return v >= 0 && v < m;
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
        if (_shapeValues.Length < side * side)
        {
            _shapeValues = new byte[side * side];
        }
    }

    private readonly record struct Shape(int Count, int Runs, int MinX, int MaxX, int MinY, int MaxY);
}
