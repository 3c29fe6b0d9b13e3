namespace CellSeg.Metrics.Coco;

/// <summary>
/// Finds repeated ids among a million annotations in little memory: while ids come in ascending
/// order (as in every COCO file we have seen) a repeat is impossible and only the list of ids is
/// kept (8 bytes each); the first id out of order turns the list into a hash set (about 20–40 bytes
/// per id, and twice that while it grows), which is what a plain <see cref="HashSet{T}"/> would have
/// cost from the start.
/// </summary>
internal sealed class UniqueIds
{
    private List<long>? _ascending = [];
    private HashSet<long>? _set;

    /// <summary>Adds <paramref name="id"/>; false when it was added before.</summary>
    public bool Add(long id)
    {
        if (_ascending is not null)
        {
            if (_ascending.Count == 0 || id > _ascending[^1])
            {
                _ascending.Add(id);
                return true;
            }

            _set = new HashSet<long>(_ascending);
            _ascending = null;
        }

        return _set!.Add(id);
    }
}
