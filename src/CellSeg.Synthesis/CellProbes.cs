namespace CellSeg.Synthesis;

/// <summary>
/// A cell's probe points (see <see cref="BankCell.Probes"/>) under one rotation and flip, and the quick
/// crowding test they allow before the cell is rasterised or its pixels visited.
/// </summary>
/// <remarks>Not thread-safe: it owns scratch buffers.</remarks>
internal sealed class CellProbes
{
    private const int Capacity = 16;

    private readonly int[] _x = new int[Capacity];
    private readonly int[] _y = new int[Capacity];
    private int _count;

    /// <summary>Rotates the cell's probe points forward (16.16 fixed point, rounded) into offsets from the centre.</summary>
    public void Orient(CellPlacement placement)
    {
        var probes = placement.Cell.Probes;
        long c = placement.Cos, s = placement.Sin;
        var flip = placement.Flip ? -1 : 1;
        _count = probes.Length / 2;
        for (var i = 0; i < _count; i++)
        {
            long ux = flip * probes[2 * i], uy = probes[2 * i + 1];
            _x[i] = (int)((c * ux - s * uy + 65536) >> 17);
            _y[i] = (int)((s * ux + c * uy + 65536) >> 17);
        }
    }

    /// <summary>
    /// Whether more probe points land on other cells than the overlap rule could accept (any, for
    /// <see cref="OverlapMode.None"/>). Clustered placement allows overlap but refuses a cell lying
    /// almost wholly on others (over 3/4 of its probes), which would rarely leave those visible enough.
    /// </summary>
    public bool Crowded(ushort[] labels, int width, int height, int cx, int cy, SynthesisOptions options)
    {
        var allowed = options.Overlap switch
        {
            OverlapMode.None => 0,
            OverlapMode.Bounded => (int)(options.MaxOverlapFraction * _count),
            _ => _count * 3 / 4,
        };
        var covered = 0;
        for (var q = 0; q < _count; q++)
        {
            int x = cx + _x[q], y = cy + _y[q];
            if ((uint)x < (uint)width && (uint)y < (uint)height && labels[y * width + x] != 0 && ++covered > allowed)
            {
                return true;
            }
        }

        return false;
    }
}
