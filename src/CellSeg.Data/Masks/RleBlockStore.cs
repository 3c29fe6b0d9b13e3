namespace CellSeg.Data.Masks;

/// <summary>
/// Keeps the runs of many masks in a few large shared blocks instead of one small array per mask.
/// </summary>
/// <remarks>
/// A LIVECell-sized ground truth holds about a million masks and 60 million runs. As one array each,
/// the runs cost a 24-byte array header per mask and, worse, a million young objects that every
/// garbage collection during the load copies to an older generation. Blocks are large enough to be
/// allocated straight into the large object heap, so the runs are written once and never copied.
/// A store is not thread-safe: give each thread its own. The masks it returns stay valid (and keep
/// their block alive) after the store is dropped.
/// </remarks>
public sealed class RleBlockStore
{
    /// <summary>Default block length in runs: 1 MiB, well above the large-object threshold; at most one block per store is partly empty at the end.</summary>
    public const int DefaultBlockLength = 1 << 18;

    private readonly int _blockLength;
    private uint[] _block = [];
    private int _used;

    /// <summary>Creates a store whose blocks hold <paramref name="blockLength"/> runs (a mask longer than that gets a block of its own size).</summary>
    public RleBlockStore(int blockLength = DefaultBlockLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockLength, 1);
        _blockLength = blockLength;
    }

    /// <summary>Runs stored so far.</summary>
    public long RunCount { get; private set; }

    /// <summary>
    /// The union of an annotation's polygons, exactly as <see cref="Rle.FromPolygons"/> (pycocotools'
    /// <c>frPyObjects</c> + <c>merge</c>), with the result's runs in this store.
    /// </summary>
    public Rle FromPolygons(IReadOnlyList<double[]> polygons, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        return polygons.Count == 1
            ? Rle.FromPolygonInto(polygons[0], height, width, this)
            : Add(Rle.FromPolygons(polygons, height, width));
    }

    /// <summary>A copy of <paramref name="rle"/> whose runs live in this store.</summary>
    public Rle Add(Rle rle)
    {
        ArgumentNullException.ThrowIfNull(rle);
        return Add(rle.Height, rle.Width, rle.Counts);
    }

    /// <summary>Copies <paramref name="runs"/> into the current block (starting a new one when they do not fit).</summary>
    internal Rle Add(int height, int width, ReadOnlySpan<uint> runs)
    {
        if (_block.Length - _used < runs.Length)
        {
            _block = GC.AllocateUninitializedArray<uint>(Math.Max(_blockLength, runs.Length));
            _used = 0;
        }

        var start = _used;
        runs.CopyTo(_block.AsSpan(start));
        _used += runs.Length;
        RunCount += runs.Length;
        return new Rle(height, width, _block, start, runs.Length);
    }
}
