using System.Buffers;

namespace CellSeg.Data.Masks;

/// <summary>Polygon rasterisation, bit for bit as pycocotools' <c>rleFrPoly</c>, in one pass without per-polygon allocations.</summary>
public sealed partial class Rle
{
    /// <summary>Largest polygon (in vertices) whose scratch lives on the stack; bigger ones rent from the pool.</summary>
    private const int StackVertices = 512;

    /// <summary>
    /// Rasterises one polygon [x1, y1, x2, y2, …] exactly as pycocotools' <c>rleFrPoly</c>: the outline is
    /// traced on a 5× upsampled grid and a pixel is inside when its centre column crossing says so.
    /// An odd trailing coordinate is ignored, as <c>frPyObjects</c> does.
    /// </summary>
    /// <remarks>
    /// <c>rleFrPoly</c> writes every outline point of the upsampled trace into arrays and then keeps the
    /// steps that cross a pixel-column centre (upsampled column ≡ 2 mod 5). This walks the edges once
    /// and evaluates only those steps, with integer arithmetic that equals the C double arithmetic for
    /// every integer input (see <see cref="CrossingPosition"/>); a LIVECell-sized file rasterises a
    /// million polygons, so the four-fifths of the trace that is thrown away matters.
    /// </remarks>
    public static Rle FromPolygon(ReadOnlySpan<double> xy, int height, int width) => FromPolygonInto(xy, height, width, null);

    /// <summary>As the public overload; the runs go into <paramref name="store"/>'s blocks when one is given.</summary>
    internal static Rle FromPolygonInto(ReadOnlySpan<double> xy, int height, int width, RleBlockStore? store)
    {
        const double scale = 5;
        var k = xy.Length / 2;
        if (k == 0)
        {
            return store is null ? Empty(height, width) : store.Add(Empty(height, width));
        }

        int[]? rentedPoints = null;
        uint[]? rentedCrossings = null;
        try
        {
            var pointCount = 2 * (k + 1);
            var p = pointCount <= 2 * StackVertices ? stackalloc int[pointCount] : (rentedPoints = ArrayPool<int>.Shared.Rent(pointCount));
            for (var j = 0; j < 2 * k; j++)
            {
                p[j] = (int)(scale * xy[j] + .5);
            }

            p[2 * k] = p[0];
            p[2 * k + 1] = p[1];

            // Each edge crosses at most one column centre per 5 upsampled columns, plus one where it
            // meets the previous edge; one more slot for the end-of-image sentinel.
            long bound = 1;
            for (var j = 0; j < k; j++)
            {
                bound += Math.Max(Math.Abs(p[2 * j + 2] - p[2 * j]), Math.Abs(p[2 * j + 3] - p[2 * j + 1])) / 5 + 2;
            }

            // The upper half is the merge sort's scratch.
            var both = bound <= 2 * StackVertices ? stackalloc uint[2 * (int)bound] : (rentedCrossings = ArrayPool<uint>.Shared.Rent(checked(2 * (int)bound)));
            var a = both[..(int)bound];
            var n = Crossings(p, k, height, width, a);
            SortRuns(a[..n], both[(int)bound..]);
            a[n++] = (uint)(height * width);

            // Differences between sorted crossings are the runs; zero-length runs merge with the next.
            uint previous = 0;
            for (var j = 0; j < n; j++)
            {
                var t = a[j];
                a[j] -= previous;
                previous = t;
            }

            var bm = 0;
            var i = 0;
            a[bm++] = a[i++];
            while (i < n)
            {
                if (a[i] > 0)
                {
                    a[bm++] = a[i++];
                }
                else
                {
                    i++;
                    if (i < n)
                    {
                        a[bm - 1] += a[i++];
                    }
                }
            }

            return store is null ? new Rle(height, width, a[..bm].ToArray()) : store.Add(height, width, a[..bm]);
        }
        finally
        {
            if (rentedPoints is not null)
            {
                ArrayPool<int>.Shared.Return(rentedPoints);
            }

            if (rentedCrossings is not null)
            {
                ArrayPool<uint>.Shared.Return(rentedCrossings);
            }
        }
    }

    /// <summary>
    /// Writes the column-major positions where the upsampled outline crosses a pixel-column centre
    /// (unsorted) and returns how many. <paramref name="p"/> holds the k upsampled vertices and the
    /// first again. The trace is <c>rleFrPoly</c>'s: per edge, points t = 0…max(dx, dy) along the
    /// longer axis, the other coordinate rounded as <c>(int)(start + s·t + .5)</c>, walked from the
    /// edge's first vertex to its second; consecutive points (also across edges) form the steps.
    /// </summary>
    private static int Crossings(ReadOnlySpan<int> p, int k, int h, int w, Span<uint> a)
    {
        var n = 0;
        int lastU = 0, lastV = 0;
        var maxU = 5 * w - 3;
        for (var j = 0; j < k; j++)
        {
            int xs = p[2 * j], ys = p[2 * j + 1], xe = p[2 * j + 2], ye = p[2 * j + 3];
            var dx = Math.Abs(xe - xs);
            var dy = Math.Abs(ys - ye);
            var flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip)
            {
                (xs, xe) = (xe, xs);
                (ys, ye) = (ye, ys);
            }

            // A flipped edge is traced from t = max(dx, dy) down to 0, so its first point is the far end.
            int firstU, firstV, endU, endV;
            if (dx >= dy)
            {
                var s = dx == 0 ? 0 : (double)(ye - ys) / dx;
                int t0 = flip ? dx : 0, t1 = flip ? 0 : dx;
                firstU = t0 + xs;
                firstV = (int)(ys + s * t0 + .5);
                endU = t1 + xs;
                endV = (int)(ys + s * t1 + .5);
                if (j > 0)
                {
                    AddStep(lastU, lastV, firstU, firstV, h, maxU, a, ref n);
                }

                // Inside the edge every step moves one column: the step between t − 1 and t has
                // column xs + t − 1; only those ≡ 2 (mod 5) inside the image count. They are listed in
                // the direction of travel, so that the outline gives long sorted runs (see SortRuns).
                var lo = Math.Max(xs, 2);
                var hi = Math.Min(xs + dx - 1, maxU);
                if (!flip)
                {
                    for (var u = lo + (((2 - lo) % 5) + 5) % 5; u <= hi; u += 5)
                    {
                        a[n++] = EdgeCrossing(u, xs, ys, s, h);
                    }
                }
                else
                {
                    for (var u = hi - (((hi - 2) % 5) + 5) % 5; u >= lo; u -= 5)
                    {
                        a[n++] = EdgeCrossing(u, xs, ys, s, h);
                    }
                }
            }
            else
            {
                var s = (double)(xe - xs) / dy;
                int t0 = flip ? dy : 0, t1 = flip ? 0 : dy;
                firstU = (int)(xs + s * t0 + .5);
                firstV = t0 + ys;
                endU = (int)(xs + s * t1 + .5);
                endV = t1 + ys;
                if (j > 0)
                {
                    AddStep(lastU, lastV, firstU, firstV, h, maxU, a, ref n);
                }

                // |s| < 1, so the column moves by at most one per step; the step's column is the lower
                // one and its row the lower one (ys + the smaller t). Walked in the direction of travel.
                if (!flip)
                {
                    var previousU = (int)(xs + s * 0 + .5);
                    for (var t = 1; t <= dy; t++)
                    {
                        var u = (int)(xs + s * t + .5);
                        if (u != previousU)
                        {
                            var column = Math.Min(u, previousU);
                            if (column >= 2 && column <= maxU && (column - 2) % 5 == 0)
                            {
                                a[n++] = CrossingPosition(column, ys + t - 1, h);
                            }

                            previousU = u;
                        }
                    }
                }
                else
                {
                    var previousU = (int)(xs + s * dy + .5);
                    for (var t = dy - 1; t >= 0; t--)
                    {
                        var u = (int)(xs + s * t + .5);
                        if (u != previousU)
                        {
                            var column = Math.Min(u, previousU);
                            if (column >= 2 && column <= maxU && (column - 2) % 5 == 0)
                            {
                                a[n++] = CrossingPosition(column, ys + t, h);
                            }

                            previousU = u;
                        }
                    }
                }
            }

            lastU = endU;
            lastV = endV;
        }

        return n;
    }

    /// <summary>The crossing of a mostly horizontal edge at column <paramref name="u"/>: the step from t − 1 to t, t = u − xs + 1.</summary>
    private static uint EdgeCrossing(int u, int xs, int ys, double s, int h)
    {
        var t = u - xs + 1;
        var v0 = (int)(ys + s * (t - 1) + .5);
        var v1 = (int)(ys + s * t + .5);
        return CrossingPosition(u, Math.Min(v0, v1), h);
    }

    /// <summary>
    /// Sorts crossings listed in the order the outline passes them. Along the outline they form a few
    /// long rising or falling runs (a convex cell has about two), so reversing the falling runs and
    /// merging the runs costs a few passes where a general sort costs n·log n compares; many short runs
    /// (a jagged outline) go to the general sort.
    /// </summary>
    private static void SortRuns(Span<uint> a, Span<uint> scratch)
    {
        const int maxRuns = 16;
        var n = a.Length;
        Span<int> starts = stackalloc int[maxRuns + 1];
        var runs = 0;
        var i = 0;
        while (i < n)
        {
            if (runs == maxRuns)
            {
                a.Sort();
                return;
            }

            starts[runs++] = i;
            var j = i + 1;
            if (j < n && a[j] < a[i])
            {
                while (j < n && a[j] < a[j - 1])
                {
                    j++;
                }

                a[i..j].Reverse();
            }
            else
            {
                while (j < n && a[j] >= a[j - 1])
                {
                    j++;
                }
            }

            i = j;
        }

        starts[runs] = n;
        while (runs > 1)
        {
            var merged = 0;
            for (var r = 0; r < runs; r += 2)
            {
                if (r + 1 < runs)
                {
                    MergeRuns(a, starts[r], starts[r + 1], starts[r + 2], scratch);
                }

                starts[merged++] = starts[r];
            }

            starts[merged] = n;
            runs = merged;
        }
    }

    /// <summary>Merges the sorted ranges [lo, mid) and [mid, hi) of <paramref name="a"/> in place, through <paramref name="scratch"/>.</summary>
    private static void MergeRuns(Span<uint> a, int lo, int mid, int hi, Span<uint> scratch)
    {
        var left = scratch[..(mid - lo)];
        a[lo..mid].CopyTo(left);
        int i = 0, j = mid, o = lo;
        while (i < left.Length && j < hi)
        {
            a[o++] = a[j] < left[i] ? a[j++] : left[i++];
        }

        left[i..].CopyTo(a[o..]);
    }

    /// <summary>The step from (u0, v0) to (u1, v1) where two edges meet, with <c>rleFrPoly</c>'s own rule for its column.</summary>
    private static void AddStep(int u0, int v0, int u1, int v1, int h, int maxU, Span<uint> a, ref int n)
    {
        if (u1 == u0)
        {
            return;
        }

        var column = u1 < u0 ? u1 : u1 - 1;
        if (column >= 2 && column <= maxU && (column - 2) % 5 == 0)
        {
            a[n++] = CrossingPosition(column, Math.Min(v0, v1), h);
        }
    }

    /// <summary>
    /// Column-major position of a crossing at upsampled column <paramref name="u"/> (≡ 2 mod 5) and
    /// upsampled row <paramref name="v"/>. <c>rleFrPoly</c> computes x = (u + .5)/5 − .5 and
    /// y = ceil(clamp((v + .5)/5 − .5, 0, h)) in doubles; for integers these are exactly (u − 2)/5 and
    /// min((v + 2)/5, h) (0 when v &lt; 2), since (u + .5)/5 − .5 is an integer only when u ≡ 2 (mod 5)
    /// and otherwise lies at least 0.2 from one.
    /// </summary>
    private static uint CrossingPosition(int u, int v, int h)
    {
        var y = v < 2 ? 0 : Math.Min((v + 2) / 5, h);
        return (uint)((u - 2) / 5 * h + y);
    }
}
