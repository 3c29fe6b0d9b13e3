namespace CellSeg.Models.Weights;

/// <summary>A tensor whose shape in the file differs from the module's.</summary>
/// <param name="Name">Module name.</param>
/// <param name="FileName">Name in the checkpoint file.</param>
/// <param name="FileShape">Shape in the file.</param>
/// <param name="ModuleShape">Shape in the module.</param>
public sealed record ShapeMismatch(string Name, string FileName, IReadOnlyList<long> FileShape, IReadOnlyList<long> ModuleShape)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name} (file '{FileName}' [{string.Join(", ", FileShape)}], module [{string.Join(", ", ModuleShape)}])";
}

/// <summary>What <see cref="WeightLoader"/> did: every tensor loaded, missing, unexpected or of the wrong shape.</summary>
/// <param name="FilePath">The checkpoint file.</param>
/// <param name="Loaded">Module names that received a tensor.</param>
/// <param name="Missing">Module tensors that no file tensor mapped to (they keep their current values).</param>
/// <param name="Unexpected">File tensor names (as in the file) that map to no module tensor.</param>
/// <param name="Mismatched">Pairs whose shapes differ (not loaded).</param>
/// <param name="Ignored">File tensor names the map dropped on purpose.</param>
public sealed record WeightLoadReport(
    string FilePath,
    IReadOnlyList<string> Loaded,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<ShapeMismatch> Mismatched,
    IReadOnlyList<string> Ignored)
{
    /// <summary>Every module tensor was loaded and every file tensor used (or ignored on purpose).</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>A few lines for a log or an exception: counts, then each problem tensor.</summary>
    public string Describe()
    {
        var lines = new List<string> { $"{Loaded.Count} loaded, {Missing.Count} missing, {Unexpected.Count} unexpected, {Mismatched.Count} shape mismatches, {Ignored.Count} ignored" };
        if (Missing.Count > 0)
        {
            lines.Add("missing: " + string.Join(", ", Missing));
        }

        if (Unexpected.Count > 0)
        {
            lines.Add("unexpected: " + string.Join(", ", Unexpected));
        }

        if (Mismatched.Count > 0)
        {
            lines.Add("shape mismatch: " + string.Join("; ", Mismatched));
        }

        return string.Join(Environment.NewLine, lines);
    }
}
