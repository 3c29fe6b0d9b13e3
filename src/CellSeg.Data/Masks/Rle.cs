namespace CellSeg.Data.Masks;

/// <summary>
/// A run-length encoded binary mask in the COCO convention: runs alternate background/foreground,
/// starting with background, over the pixels in column-major order (x·h + y).
/// </summary>
/// <remarks>
/// Every operation here reproduces pycocotools' <c>maskApi.c</c> bit for bit (polygon rasterisation,
/// merge, area, bbox, IoU and the compressed string form), because COCO AP is only comparable across
/// tools when the masks are identical to the last pixel.
/// </remarks>
public sealed partial class Rle
{
    // The runs live in a slice of a possibly shared array: a whole dataset's masks can then sit in a
    // few large blocks (see RleBlockStore) instead of a million small arrays the GC has to copy.
    private readonly uint[] _store;
    private readonly int _start;
    private readonly int _length;

    /// <summary>Creates an RLE from run lengths. The counts are taken as they are, not copied.</summary>
    public Rle(int height, int width, uint[] counts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        Height = height;
        Width = width;
        _store = counts ?? throw new ArgumentNullException(nameof(counts));
        _length = counts.Length;
    }

    /// <summary>An RLE whose runs are <paramref name="length"/> elements of <paramref name="store"/> from <paramref name="start"/>; the caller never writes them again.</summary>
    internal Rle(int height, int width, uint[] store, int start, int length)
    {
        Height = height;
        Width = width;
        _store = store;
        _start = start;
        _length = length;
    }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Run lengths, background first.</summary>
    public ReadOnlySpan<uint> Counts => new(_store, _start, _length);

    /// <summary>
    /// The foreground pixels as (x, y), column by column: <c>foreach (var (x, y) in rle.ForegroundPixels())</c>.
    /// The one walk over the runs for code that paints or gathers a mask's pixels without decoding it.
    /// </summary>
    public RleForegroundPixels ForegroundPixels() => new(Counts, Height);

    /// <summary>Number of foreground pixels (the sum of the odd runs).</summary>
    public long Area
    {
        get
        {
            long area = 0;
            var counts = Counts;
            for (var j = 1; j < counts.Length; j += 2)
            {
                area += counts[j];
            }

            return area;
        }
    }

    /// <summary>An all-background mask.</summary>
    public static Rle Empty(int height, int width) => new(height, width, height * width == 0 ? [] : [(uint)(height * width)]);

    /// <summary>
    /// Tight bounding box [x, y, w, h] exactly as <c>rleToBbox</c>: a foreground run that crosses a
    /// column boundary widens the box to the full image height.
    /// </summary>
    public BoundingBox ToBbox()
    {
        var h = (uint)Height;
        var counts = Counts;
        var m = counts.Length / 2 * 2;
        if (m == 0 || h == 0)
        {
            return new BoundingBox(0, 0, 0, 0);
        }

        uint xs = (uint)Width, ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
        for (var j = 0; j < m; j++)
        {
            cc += counts[j];
            var t = cc - (uint)(j % 2);
            var y = t % h;
            var x = (t - y) / h;
            if (j % 2 == 0)
            {
                xp = x;
            }
            else if (xp < x)
            {
                ys = 0;
                ye = h - 1;
            }

            xs = Math.Min(xs, x);
            xe = Math.Max(xe, x);
            ys = Math.Min(ys, y);
            ye = Math.Max(ye, y);
        }

        return new BoundingBox(xs, ys, xe - xs + 1.0, ye - ys + 1.0);
    }

    /// <summary>The mask as a row-major image of 0/1 bytes.</summary>
    public BinaryMask Decode()
    {
        var mask = new BinaryMask(Height, Width);
        DecodeInto(mask, 1);
        return mask;
    }

    /// <summary>Writes <paramref name="value"/> into every foreground pixel of a row-major mask of the same size.</summary>
    public void DecodeInto(BinaryMask target, byte value)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Height != Height || target.Width != Width)
        {
            throw new ArgumentException($"mask is {target.Width}x{target.Height}, RLE is {Width}x{Height}", nameof(target));
        }

        var data = target.Data;
        foreach (var (x, y) in ForegroundPixels())
        {
            data[y * Width + x] = value;
        }
    }

    /// <summary>Encodes a row-major mask (any non-zero byte is foreground), as <c>rleEncode</c> does column by column.</summary>
    public static Rle Encode(BinaryMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int h = mask.Height, w = mask.Width;
        var data = mask.Data;
        var counts = new List<uint>();
        uint c = 0;
        var previous = false;
        for (var x = 0; x < w; x++)
        {
            for (var y = 0; y < h; y++)
            {
                var on = data[y * w + x] != 0;
                if (on != previous)
                {
                    counts.Add(c);
                    c = 0;
                    previous = on;
                }

                c++;
            }
        }

        counts.Add(c);
        return new Rle(h, w, [.. counts]);
    }

    /// <summary>Builds a mask from the column-major positions (x·h + y) of its foreground pixels, in ascending order.</summary>
    public static Rle FromSortedPositions(ReadOnlySpan<int> positions, int height, int width)
    {
        var counts = new List<uint>();
        var next = 0;
        var j = 0;
        while (j < positions.Length)
        {
            var start = positions[j];
            var end = start + 1;
            j++;
            while (j < positions.Length && positions[j] == end)
            {
                end++;
                j++;
            }

            counts.Add((uint)(start - next));
            counts.Add((uint)(end - start));
            next = end;
        }

        if (next < height * width || counts.Count == 0)
        {
            counts.Add((uint)(height * width - next));
        }

        return new Rle(height, width, [.. counts]);
    }

    /// <summary>
    /// The union of several polygons (one annotation's parts), as <c>annToRLE</c> does with
    /// <c>frPyObjects</c> followed by <c>merge</c>.
    /// </summary>
    public static Rle FromPolygons(IReadOnlyList<double[]> polygons, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        if (polygons.Count == 1)
        {
            return FromPolygon(polygons[0], height, width);
        }

        var parts = new Rle[polygons.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = FromPolygon(polygons[i], height, width);
        }

        return Merge(parts);
    }

    /// <summary>A box [x, y, w, h] rasterised as pycocotools' <c>rleFrBbox</c> (its four corners as a polygon).</summary>
    public static Rle FromBbox(BoundingBox box, int height, int width)
    {
        double xs = box.X, xe = xs + box.Width, ys = box.Y, ye = ys + box.Height;
        return FromPolygon([xs, ys, xs, ye, xe, ye, xe, ys], height, width);
    }

    /// <summary>
    /// Union (or intersection) of masks of the same size, as <c>rleMerge</c>. Masks of different sizes
    /// give an empty 0×0 RLE, which is what pycocotools returns.
    /// </summary>
    public static Rle Merge(IReadOnlyList<Rle> rles, bool intersect = false)
    {
        ArgumentNullException.ThrowIfNull(rles);
        if (rles.Count == 0)
        {
            return new Rle(0, 0, []);
        }

        int h = rles[0].Height, w = rles[0].Width;
        if (rles.Count == 1)
        {
            return new Rle(h, w, rles[0].Counts.ToArray());
        }

        var cnts = new List<uint>(rles[0].Counts.ToArray());
        for (var r = 1; r < rles.Count; r++)
        {
            var bRle = rles[r];
            if (bRle.Height != h || bRle.Width != w)
            {
                return new Rle(0, 0, []);
            }

            var aCounts = cnts.ToArray();
            var bCounts = bRle.Counts;
            cnts.Clear();
            uint ca = aCounts.Length > 0 ? aCounts[0] : 0, cb = bCounts.Length > 0 ? bCounts[0] : 0;
            bool v = false, va = false, vb = false;
            int ia = 1, ib = 1;
            uint cc = 0, ct = 1;
            while (ct > 0)
            {
                var c = Math.Min(ca, cb);
                cc += c;
                ct = 0;
                ca -= c;
                if (ca == 0 && ia < aCounts.Length)
                {
                    ca = aCounts[ia++];
                    va = !va;
                }

                ct += ca;
                cb -= c;
                if (cb == 0 && ib < bCounts.Length)
                {
                    cb = bCounts[ib++];
                    vb = !vb;
                }

                ct += cb;
                var vp = v;
                v = intersect ? va && vb : va || vb;
                if (v != vp || ct == 0)
                {
                    cnts.Add(cc);
                    cc = 0;
                }
            }
        }

        return new Rle(h, w, [.. cnts]);
    }

    /// <summary>
    /// The union of many masks of one size, by painting them into one column-major bitmap and encoding
    /// it once: the same pixels as <see cref="Merge"/>, in O(pixels) rather than O(masks × runs).
    /// </summary>
    public static Rle UnionOf(IReadOnlyCollection<Rle> rles, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(rles);
        var pixels = new byte[checked(height * width)];
        foreach (var rle in rles)
        {
            if (rle.Height != height || rle.Width != width)
            {
                throw new ArgumentException($"mask is {rle.Width}x{rle.Height}, expected {width}x{height}", nameof(rles));
            }

            long pos = 0;
            var counts = rle.Counts;
            for (var j = 0; j < counts.Length; j++)
            {
                var run = (int)counts[j];
                if ((j & 1) == 1)
                {
                    pixels.AsSpan((int)pos, run).Fill(1);
                }

                pos += run;
            }
        }

        return EncodeColumnMajor(pixels, height, width);
    }

    private static Rle EncodeColumnMajor(byte[] pixels, int height, int width)
    {
        var counts = new List<uint>();
        var previous = (byte)0;
        uint c = 0;
        foreach (var b in pixels)
        {
            if (b != previous)
            {
                counts.Add(c);
                c = 0;
                previous = b;
            }

            c++;
        }

        counts.Add(c);
        return new Rle(height, width, [.. counts]);
    }

    /// <summary>
    /// Intersection over union of two masks as <c>rleIou</c> computes one pair: for a crowd ground truth
    /// the union is the detection's area; masks of different sizes give −1; no overlap gives 0.
    /// </summary>
    public static double Iou(Rle dt, Rle gt, bool gtIsCrowd)
    {
        ArgumentNullException.ThrowIfNull(dt);
        ArgumentNullException.ThrowIfNull(gt);
        return Iou(dt, gt, dt.ToBbox(), gt.ToBbox(), gtIsCrowd);
    }

    /// <summary>IoU with the two boxes already computed (the evaluator caches them).</summary>
    public static double Iou(Rle dt, Rle gt, in BoundingBox dtBox, in BoundingBox gtBox, bool gtIsCrowd)
    {
        if (BoundingBox.Iou(dtBox, gtBox, gtIsCrowd) <= 0)
        {
            return 0;
        }

        if (dt.Height != gt.Height || dt.Width != gt.Width)
        {
            return -1;
        }

        var (intersection, union) = IntersectionAndUnion(dt.Counts, gt.Counts);
        if (intersection == 0)
        {
            union = 1;
        }
        else if (gtIsCrowd)
        {
            union = (uint)dt.Area;
        }

        return (double)intersection / union;
    }

    /// <summary>Number of pixels that are foreground in both masks (same size required).</summary>
    public static long IntersectionArea(Rle a, Rle b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Height != b.Height || a.Width != b.Width)
        {
            throw new ArgumentException($"masks differ in size: {a.Width}x{a.Height} and {b.Width}x{b.Height}");
        }

        return IntersectionAndUnion(a.Counts, b.Counts).Intersection;
    }

    private static (uint Intersection, uint Union) IntersectionAndUnion(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return (0, 0);
        }

        uint ca = a[0], cb = b[0], i = 0, u = 0, ct = 1;
        bool va = false, vb = false;
        int ka = 1, kb = 1;
        while (ct > 0)
        {
            var c = Math.Min(ca, cb);
            if (va || vb)
            {
                u += c;
                if (va && vb)
                {
                    i += c;
                }
            }

            ct = 0;
            ca -= c;
            if (ca == 0 && ka < a.Length)
            {
                ca = a[ka++];
                va = !va;
            }

            ct += ca;
            cb -= c;
            if (cb == 0 && kb < b.Length)
            {
                cb = b[kb++];
                vb = !vb;
            }

            ct += cb;
        }

        return (i, u);
    }

    /// <summary>The compressed string form used in COCO JSON (<c>rleToString</c>).</summary>
    public string ToCompressedString() => RleString.Encode(Counts);

    /// <summary>Parses a compressed COCO RLE string (<c>rleFrString</c>).</summary>
    /// <exception cref="FormatException">The string holds a character outside the encoding's alphabet or ends mid-number.</exception>
    public static Rle FromCompressedString(string counts, int height, int width) =>
        new(height, width, RleString.Decode(counts));

    /// <inheritdoc />
    public override string ToString() => $"Rle {Width}x{Height}, {_length} runs, area {Area}";
}
