namespace CellSeg.Models.Weights;

/// <summary>
/// How the tensor names of a PyTorch checkpoint become the names of a TorchSharp module's state: exact entries first,
/// then the first matching prefix rule (longest rules should come first), then the name unchanged. A rule may drop
/// names (map to null) that have no counterpart on purpose, e.g. detectron2's <c>pixel_mean</c>. Explicit, so a
/// renamed layer shows up as a missing and an unexpected tensor instead of loading silently into the wrong place.
/// </summary>
public sealed class ParameterNameMap
{
    private readonly Dictionary<string, string?> _exact = new(StringComparer.Ordinal);
    private readonly List<(string From, string? To)> _prefixes = [];

    /// <summary>No renames: names are used as they are.</summary>
    public static ParameterNameMap Identity => new();

    /// <summary>Maps the checkpoint name <paramref name="from"/> to the module name <paramref name="to"/>.</summary>
    public ParameterNameMap Exact(string from, string to)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentException.ThrowIfNullOrEmpty(to);
        _exact[from] = to;
        return this;
    }

    /// <summary>Rewrites names that start with <paramref name="from"/> to start with <paramref name="to"/> instead.</summary>
    public ParameterNameMap Prefix(string from, string to)
    {
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentNullException.ThrowIfNull(to);
        _prefixes.Add((from, to));
        return this;
    }

    /// <summary>Drops checkpoint tensors whose name starts with <paramref name="prefix"/> (or equals it): they are neither loaded nor reported as unexpected.</summary>
    public ParameterNameMap Ignore(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        _prefixes.Add((prefix, null));
        return this;
    }

    /// <summary>The module name for checkpoint name <paramref name="name"/>, or null when the map drops it.</summary>
    public string? Map(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_exact.TryGetValue(name, out var exact))
        {
            return exact;
        }

        foreach (var (from, to) in _prefixes)
        {
            if (name.StartsWith(from, StringComparison.Ordinal))
            {
                return to is null ? null : to + name[from.Length..];
            }
        }

        return name;
    }
}
