namespace CellSeg.Synthesis;

/// <summary>
/// The visibility ledger of one image being composed: how many pixels each pasted cell still shows and
/// the least it must keep. It decides whether a rasterised cell may be pasted at a centre (the new cell
/// shows enough, no cell already there drops below its minimum, the overlap rule holds), and pastes it
/// when so. So every pasted cell stays annotated, and its annotation is exactly what the label image shows.
/// </summary>
/// <remarks>Not thread-safe: it owns scratch buffers. Entries are indexed by label and overwritten as
/// labels are handed out again, so one ledger serves image after image.</remarks>
internal sealed class PlacementLedger
{
    private int[] _visible = new int[256];
    private int[] _minVisible = new int[256];
    private int[] _loss = new int[256];
    private int[] _touched = new int[256];

    /// <summary>Makes room for <paramref name="labels"/> labels (0 included).</summary>
    public void EnsureCapacity(int labels)
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

    /// <summary>
    /// Pastes the cell last rasterised by <paramref name="shape"/> at (<paramref name="cx"/>, <paramref name="cy"/>)
    /// with the next label, when every visibility and overlap rule allows it; otherwise leaves the image as it was.
    /// </summary>
    public bool TryPlace(ComposedImage image, CellRasteriser shape, int cx, int cy, SynthesisOptions options)
    {
        int width = image.Width, height = image.Height, total = shape.Count;
        var labels = image.Labels;
        var inside = shape.FitsInside(cx, cy, width, height);

        var noOverlap = options.Overlap == OverlapMode.None;
        int n = 0, overlap = 0, touched = 0;
        for (var r = 0; r < shape.Runs; r++)
        {
            var (p, length, _) = shape.Clip(r, cx, cy, width, height, inside);
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
        shape.Paste(image.Pixels, labels, label, cx, cy, width, height, inside);
        _visible[label] = n;
        _minVisible[label] = minVisible;
        return true;
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

    private static int MinVisible(int total, SynthesisOptions options)
    {
        var byFraction = (int)Math.Ceiling(options.MinVisibleFraction * total);
        return Math.Max(1, Math.Max(byFraction, Math.Min(options.MinVisiblePixels, total)));
    }
}
