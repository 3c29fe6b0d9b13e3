using CellSeg.Data.Masks;

namespace CellSeg.Data.Tests.Masks;

/// <summary>
/// The straightforward two-pass transcription of pycocotools' <c>rleFrPoly</c> (outline points into
/// arrays, then crossings) that <see cref="Rle.FromPolygon"/> used before it was fused into one pass;
/// kept as an oracle for random polygons that the shipped reference data does not cover.
/// </summary>
internal static class TwoPassRasteriser
{
    /// <summary>
    /// Rasterises one polygon [x1, y1, x2, y2, …] exactly as pycocotools' <c>rleFrPoly</c>: the outline is
    /// traced on a 5× upsampled grid and a pixel is inside when its centre column crossing says so.
    /// An odd trailing coordinate is ignored, as <c>frPyObjects</c> does.
    /// </summary>
    public static Rle Rasterise(ReadOnlySpan<double> xy, int height, int width)
    {
        const double scale = 5;
        var k = xy.Length / 2;
        if (k == 0)
        {
            return Rle.Empty(height, width);
        }

        // Scratch comes from the shared pool: a LIVECell-sized file rasterises a million polygons, and
        // six fresh arrays per polygon cost gigabytes of allocation. Only the final counts are new.
        var pool = System.Buffers.ArrayPool<int>.Shared;
        var x = pool.Rent(k + 1);
        var y = pool.Rent(k + 1);
        int[]? u = null, v = null;
        uint[]? a = null;
        try
        {
            for (var j = 0; j < k; j++)
            {
                x[j] = (int)(scale * xy[j * 2] + .5);
                y[j] = (int)(scale * xy[j * 2 + 1] + .5);
            }

            x[k] = x[0];
            y[k] = y[0];
            long total = 0;
            for (var j = 0; j < k; j++)
            {
                total += Math.Max(Math.Abs(x[j] - x[j + 1]), Math.Abs(y[j] - y[j + 1])) + 1;
            }

            u = pool.Rent((int)total);
            v = pool.Rent((int)total);
            var m = 0;
            for (var j = 0; j < k; j++)
            {
                int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
                var dx = Math.Abs(xe - xs);
                var dy = Math.Abs(ys - ye);
                var flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
                if (flip)
                {
                    (xs, xe) = (xe, xs);
                    (ys, ye) = (ye, ys);
                }

                if (dx >= dy)
                {
                    var s = dx == 0 ? 0 : (double)(ye - ys) / dx;
                    for (var d = 0; d <= dx; d++)
                    {
                        var t = flip ? dx - d : d;
                        u[m] = t + xs;
                        v[m] = (int)(ys + s * t + .5);
                        m++;
                    }
                }
                else
                {
                    var s = (double)(xe - xs) / dy;
                    for (var d = 0; d <= dy; d++)
                    {
                        var t = flip ? dy - d : d;
                        v[m] = t + ys;
                        u[m] = (int)(xs + s * t + .5);
                        m++;
                    }
                }
            }

            // Keep the points where the trace crosses a pixel-column centre and downsample them.
            a = System.Buffers.ArrayPool<uint>.Shared.Rent(m + 1);
            var n = 0;
            for (var j = 1; j < m; j++)
            {
                if (u[j] == u[j - 1])
                {
                    continue;
                }

                double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
                xd = (xd + .5) / scale - .5;
                if (Math.Floor(xd) != xd || xd < 0 || xd > width - 1)
                {
                    continue;
                }

                double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
                yd = (yd + .5) / scale - .5;
                if (yd < 0)
                {
                    yd = 0;
                }
                else if (yd > height)
                {
                    yd = height;
                }

                yd = Math.Ceiling(yd);
                a[n++] = (uint)((int)xd * height + (int)yd);
            }

            a[n++] = (uint)(height * width);
            Array.Sort(a, 0, n);
            uint previous = 0;
            for (var j = 0; j < n; j++)
            {
                var t = a[j];
                a[j] -= previous;
                previous = t;
            }

            // Merge zero-length runs in place (the write index never passes the read index).
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

            return new Rle(height, width, a.AsSpan(0, bm).ToArray());
        }
        finally
        {
            pool.Return(x);
            pool.Return(y);
            if (u is not null)
            {
                pool.Return(u);
            }

            if (v is not null)
            {
                pool.Return(v);
            }

            if (a is not null)
            {
                System.Buffers.ArrayPool<uint>.Shared.Return(a);
            }
        }
    }

}
