using CellSeg.Data.Masks;

namespace CellSeg.Synthesis;

/// <summary>One cell's visible pixels as they go into the COCO file.</summary>
/// <param name="Label">Its label in the label image.</param>
/// <param name="Counts">COCO compressed RLE of the visible pixels (column-major, as pycocotools).</param>
/// <param name="Polygons">Pixel-edge polygons of the visible pieces, when asked for; else null.</param>
/// <param name="Area">Visible pixel count.</param>
/// <param name="Bbox">Bounding box of the visible pixels, as pycocotools' <c>toBbox</c> gives it for the RLE.</param>
public sealed record EncodedInstance(int Label, string Counts, IReadOnlyList<double[]>? Polygons, int Area, BoundingBox Bbox);

/// <summary>
/// Encodes every cell of a label image at once: one column-major pass collects the runs of all labels,
/// a counting sort groups them per label, and each label's runs become its COCO RLE. The result is
/// the same string pycocotools' <c>encode</c> gives for the cell's binary mask.
/// </summary>
/// <remarks>Not thread-safe: it owns scratch buffers. Use one per thread.</remarks>
public sealed class InstanceEncoder
{
    private int[] _runLabel = new int[4096];
    private int[] _runStart = new int[4096];
    private int[] _runLength = new int[4096];
    private int[] _order = new int[4096];
    private int[] _first = new int[256];
    private uint[] _counts = new uint[1024];
    private ushort[] _columns = [];

    /// <summary>The visible pixels of labels 1..<paramref name="labelCount"/> of a row-major label image.</summary>
    public EncodedInstance[] Encode(ReadOnlySpan<ushort> labels, int width, int height, int labelCount, SegmentationFormat format = SegmentationFormat.Rle)
    {
        if (labels.Length != width * height)
        {
            throw new ArgumentException($"label image holds {labels.Length} pixels, {width}x{height} needs {width * height}", nameof(labels));
        }

        var runs = CollectRuns(labels, width, height);
        if (_first.Length < labelCount + 2)
        {
            _first = new int[labelCount + 2];
        }

        var first = _first.AsSpan(0, labelCount + 2);
        first.Clear();
        for (var r = 0; r < runs; r++)
        {
            var l = _runLabel[r];
            if (l > labelCount)
            {
                throw new ArgumentException($"label {l} is above the label count {labelCount}", nameof(labels));
            }

            first[l + 1]++;
        }

        for (var l = 1; l < first.Length; l++)
        {
            first[l] += first[l - 1];
        }

        if (_order.Length < runs)
        {
            _order = new int[runs];
        }

        var next = first.ToArray();
        for (var r = 0; r < runs; r++)
        {
            _order[next[_runLabel[r]]++] = r;
        }

        var total = (long)width * height;
        var result = new EncodedInstance[labelCount];
        for (var l = 1; l <= labelCount; l++)
        {
            int from = first[l], to = first[l + 1];
            if (_counts.Length < 2 * (to - from) + 1)
            {
                _counts = new uint[2 * (to - from) + 1];
            }

            var m = 0;
            long previousEnd = 0;
            var area = 0;
            long xs = long.MaxValue, xe = -1, ys = long.MaxValue, ye = -1;
            for (var i = from; i < to; i++)
            {
                var r = _order[i];
                long start = _runStart[r], length = _runLength[r];
                _counts[m++] = (uint)(start - previousEnd);
                _counts[m++] = (uint)length;
                previousEnd = start + length;
                area += (int)length;

                // rleToBbox: a run that crosses a column boundary spans the full height.
                long x0 = start / height, x1 = (previousEnd - 1) / height;
                xs = Math.Min(xs, x0);
                xe = Math.Max(xe, x1);
                if (x0 != x1)
                {
                    ys = 0;
                    ye = height - 1;
                }
                else
                {
                    ys = Math.Min(ys, start - x0 * height);
                    ye = Math.Max(ye, previousEnd - 1 - x0 * height);
                }
            }

            if (previousEnd < total || m == 0)
            {
                _counts[m++] = (uint)(total - previousEnd);
            }

            var counts = _counts.AsSpan(0, m);
            var box = area == 0 ? new BoundingBox(0, 0, 0, 0) : new BoundingBox(xs, ys, xe - xs + 1, ye - ys + 1);
            var polygons = format == SegmentationFormat.Polygons && area > 0 ? Polygons(labels, width, l, box) : null;
            result[l - 1] = new EncodedInstance(l, RleString.Encode(counts), polygons, area, box);
        }

        return result;
    }

    private int CollectRuns(ReadOnlySpan<ushort> labels, int width, int height)
    {
        // COCO runs are column-major: transpose once in cache-sized tiles, then find run ends with the
        // vectorised IndexOfAnyExcept instead of comparing pixel by pixel.
        var n = width * height;
        if (_columns.Length < n)
        {
            _columns = new ushort[n];
        }

        const int tile = 32;
        for (var y0 = 0; y0 < height; y0 += tile)
        {
            var y1 = Math.Min(height, y0 + tile);
            for (var x0 = 0; x0 < width; x0 += tile)
            {
                var x1 = Math.Min(width, x0 + tile);
                for (var y = y0; y < y1; y++)
                {
                    var row = labels.Slice(y * width, width);
                    for (var x = x0; x < x1; x++)
                    {
                        _columns[x * height + y] = row[x];
                    }
                }
            }
        }

        var columns = _columns.AsSpan(0, n);
        var runs = 0;
        var p = 0;
        while (p < n)
        {
            var label = columns[p];
            var length = columns[p..].IndexOfAnyExcept(label);
            if (length < 0)
            {
                length = n - p;
            }

            if (label != 0)
            {
                AddRun(ref runs, label, p, length);
            }

            p += length;
        }

        return runs;
    }

    private void AddRun(ref int runs, int label, int start, int length)
    {
        if (runs == _runLabel.Length)
        {
            Array.Resize(ref _runLabel, runs * 2);
            Array.Resize(ref _runStart, runs * 2);
            Array.Resize(ref _runLength, runs * 2);
        }

        _runLabel[runs] = label;
        _runStart[runs] = start;
        _runLength[runs] = length;
        runs++;
    }

    private static double[][] Polygons(ReadOnlySpan<ushort> labels, int width, int label, BoundingBox box)
    {
        int x0 = (int)box.X, y0 = (int)box.Y, w = (int)box.Width, h = (int)box.Height;
        var mask = new BinaryMask(h, w);
        for (var y = 0; y < h; y++)
        {
            var row = labels.Slice((y + y0) * width + x0, w);
            for (var x = 0; x < w; x++)
            {
                if (row[x] == label)
                {
                    mask.Data[y * w + x] = 1;
                }
            }
        }

        var polygons = Contours.OuterPolygons(mask);
        var shifted = new double[polygons.Count][];
        for (var i = 0; i < shifted.Length; i++)
        {
            var polygon = (double[])polygons[i].Clone();
            for (var j = 0; j < polygon.Length; j += 2)
            {
                polygon[j] += x0;
                polygon[j + 1] += y0;
            }

            shifted[i] = polygon;
        }

        return shifted;
    }
}
