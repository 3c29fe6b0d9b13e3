using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CellSeg.Synthesis;

/// <summary>
/// A pure rasteriser of one bank cell under a rotation and flip: its pixels as horizontal runs relative
/// to the centre pixel, with their values in run order, following the exact integer mapping documented
/// on <see cref="CellPlacement"/>. The last cell rasterised can then be clipped to an image and pasted
/// at any centre, each time a pass over its runs rather than a new rotation.
/// </summary>
/// <remarks>Not thread-safe: it owns scratch buffers, reused from cell to cell.</remarks>
internal sealed class CellRasteriser
{
    private byte[] _values = new byte[1024];
    private int[] _runDy = new int[256];
    private int[] _runDx = new int[256];
    private int[] _runLength = new int[256];

    /// <summary>Pixels of the last cell rasterised.</summary>
    public int Count { get; private set; }

    /// <summary>Runs of the last cell rasterised.</summary>
    public int Runs { get; private set; }

    private int MinX { get; set; }

    private int MaxX { get; set; }

    private int MinY { get; set; }

    private int MaxY { get; set; }

    /// <summary>Makes room for the values of any rotation of <paramref name="cell"/>.</summary>
    public void EnsureCapacity(BankCell cell)
    {
        // The box of any rotation fits in a square of side width + height + 5.
        var side = cell.Width + cell.Height + 5;
        if (_values.Length < side * side)
        {
            _values = new byte[side * side];
        }
    }

    /// <summary>
    /// Rasterises the cell of <paramref name="placement"/> under its rotation and flip (its centre is
    /// ignored). Only the span of dx whose source point falls inside the patch is visited per row (exact
    /// integer bounds), so the patch is read without bounds checks. Call <see cref="EnsureCapacity"/> first.
    /// </summary>
    public void Rasterise(CellPlacement placement)
    {
        var cell = placement.Cell;
        int cw = cell.Width, ch = cell.Height, cos = placement.Cos, sin = placement.Sin;
        int ex = placement.HalfExtentX, ey = placement.HalfExtentY;
        ref var maskRef = ref MemoryMarshal.GetArrayDataReference(cell.Mask);
        ref var patchRef = ref MemoryMarshal.GetArrayDataReference(cell.Pixels);
        ref var valueRef = ref MemoryMarshal.GetArrayDataReference(_values);
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

        (Count, Runs, MinX, MaxX, MinY, MaxY) = (m, runs, minX, maxX, minY, maxY);
    }

    /// <summary>Whether the cell, centred at (<paramref name="cx"/>, <paramref name="cy"/>), lies wholly inside the image.</summary>
    public bool FitsInside(int cx, int cy, int width, int height) =>
        cx + MinX >= 0 && cx + MaxX < width && cy + MinY >= 0 && cy + MaxY < height;

    /// <summary>
    /// Run <paramref name="r"/> placed at the centre and clipped to the image: first pixel index, length
    /// (≤ 0: nothing inside), pixels cut on the left. <paramref name="inside"/> is <see cref="FitsInside"/>.
    /// </summary>
    public (int Start, int Length, int Skipped) Clip(int r, int cx, int cy, int width, int height, bool inside)
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

    /// <summary>Pastes the cell's values into <paramref name="pixels"/> and <paramref name="label"/> into <paramref name="labels"/>, clipped to the image.</summary>
    public void Paste(byte[] pixels, ushort[] labels, ushort label, int cx, int cy, int width, int height, bool inside)
    {
        for (int r = 0, valueStart = 0; r < Runs; valueStart += _runLength[r], r++)
        {
            var (p, length, skipped) = Clip(r, cx, cy, width, height, inside);
            if (length <= 0)
            {
                continue;
            }

            _values.AsSpan(valueStart + skipped, length).CopyTo(pixels.AsSpan(p, length));
            labels.AsSpan(p, length).Fill(label);
        }
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
}
