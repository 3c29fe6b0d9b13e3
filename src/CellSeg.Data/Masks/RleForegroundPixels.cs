namespace CellSeg.Data.Masks;

/// <summary>
/// The foreground pixels of an <see cref="Rle"/> as (x, y), in RLE order (column by column, top to
/// bottom), walked straight from the runs: no decoded mask. Use it with <c>foreach</c>; see
/// <see cref="Rle.ForegroundPixels"/>.
/// </summary>
public ref struct RleForegroundPixels
{
    private readonly ReadOnlySpan<uint> _counts;
    private readonly int _height;
    private int _run;
    private long _runStart;
    private long _pixel;
    private long _end;

    internal RleForegroundPixels(ReadOnlySpan<uint> counts, int height)
    {
        _counts = counts;
        _height = height;
    }

    /// <summary>The pixel the enumerator is on.</summary>
    public (int X, int Y) Current { get; private set; }

    /// <summary>Itself: the walk is its own enumerator.</summary>
    public readonly RleForegroundPixels GetEnumerator() => this;

    /// <summary>Moves to the next foreground pixel; false after the last.</summary>
    public bool MoveNext()
    {
        while (_pixel >= _end)
        {
            if (_run >= _counts.Length)
            {
                return false;
            }

            var length = _counts[_run];
            if ((_run & 1) == 1)
            {
                (_pixel, _end) = (_runStart, _runStart + length);
            }

            _runStart += length;
            _run++;
        }

        // Column-major position p = x·h + y.
        var x = (int)(_pixel / _height);
        Current = (x, (int)(_pixel - (long)x * _height));
        _pixel++;
        return true;
    }
}
