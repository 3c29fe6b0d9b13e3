namespace CellSeg.Models.CenterMask;

/// <summary>The bilinear samples of one RoI along one axis: per output bin, grid points with their two taps.</summary>
internal readonly struct RoiAxisSamples
{
    private readonly int[] _low;
    private readonly int[] _high;
    private readonly float[] _wLow;
    private readonly float[] _wHigh;
    private readonly int _grid;

    private RoiAxisSamples(int[] low, int[] high, float[] wLow, float[] wHigh, int grid, int start, int length)
    {
        _low = low;
        _high = high;
        _wLow = wLow;
        _wHigh = wHigh;
        _grid = grid;
        Start = start;
        Length = length;
    }

    /// <summary>First feature row (or column) the RoI touches.</summary>
    public int Start { get; }

    /// <summary>Rows (or columns) from <see cref="Start"/> to the last one touched.</summary>
    public int Length { get; }

    public static RoiAxisSamples Build(float start, float bin, int grid, int bins, int size)
    {
        if (grid <= 0)
        {
            // An empty or inverted RoI: torchvision averages over no samples and outputs zeros.
            return new RoiAxisSamples([], [], [], [], 0, 0, 1);
        }

        var n = bins * grid;
        var low = new int[n];
        var high = new int[n];
        var wLow = new float[n];
        var wHigh = new float[n];
        int first = int.MaxValue, last = -1;
        for (var p = 0; p < bins; p++)
        {
            for (var i = 0; i < grid; i++)
            {
                var s = p * grid + i;
                var v = start + p * bin + (i + .5f) * bin / grid;
                if (v < -1.0 || v > size)
                {
                    continue; // weights stay 0: the point contributes nothing
                }

                if (v <= 0)
                {
                    v = 0;
                }

                var lo = (int)v;
                int hi;
                if (lo >= size - 1)
                {
                    hi = lo = size - 1;
                    v = lo;
                }
                else
                {
                    hi = lo + 1;
                }

                var frac = v - lo;
                low[s] = lo;
                high[s] = hi;
                wLow[s] = (1f - frac) / grid;
                wHigh[s] = frac / grid;
                first = Math.Min(first, lo);
                last = Math.Max(last, hi);
            }
        }

        if (last < 0)
        {
            return new RoiAxisSamples([], [], [], [], 0, 0, 1);
        }

        for (var s = 0; s < n; s++)
        {
            if (wLow[s] == 0 && wHigh[s] == 0)
            {
                low[s] = high[s] = first;
            }
        }

        return new RoiAxisSamples(low, high, wLow, wHigh, grid, first, last - first + 1);
    }

    /// <summary>Writes the [bins, window] averaging matrix of this axis (zeros for an empty RoI).</summary>
    public void FillWeights(Span<float> target, int window)
    {
        if (_grid == 0)
        {
            return;
        }

        for (var s = 0; s < _low.Length; s++)
        {
            var p = s / _grid;
            target[p * window + _low[s] - Start] += _wLow[s];
            target[p * window + _high[s] - Start] += _wHigh[s];
        }
    }


    /// <summary>
    /// The taps of output bin <paramref name="bin"/>: each touched row (or column) once, with the summed weight of
    /// all its samples (already divided by the grid), zero-weight taps left out.
    /// </summary>
    public void AppendTaps(int bin, List<int> index, List<float> weight)
    {
        var first = index.Count;
        for (var i = 0; i < _grid; i++)
        {
            var s = bin * _grid + i;
            Add(_low[s], _wLow[s]);
            Add(_high[s], _wHigh[s]);
        }

        void Add(int at, float w)
        {
            if (w == 0)
            {
                return;
            }

            for (var j = first; j < index.Count; j++)
            {
                if (index[j] == at)
                {
                    weight[j] += w;
                    return;
                }
            }

            index.Add(at);
            weight.Add(w);
        }
    }
}
