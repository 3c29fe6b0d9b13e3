namespace CellSeg.Models.Runtime;

/// <summary>One compared quantity of the numeric self-check: a float32 result against the float64 one.</summary>
/// <param name="Operation">What was computed, e.g. "conv2d 3×3 backward (weight gradient)".</param>
/// <param name="Error">Largest absolute difference over the largest float64 magnitude (NaN or ∞ when the float32 result was not finite).</param>
/// <param name="Limit">The largest error that passes.</param>
/// <param name="Repeatable">True when every float32 repeat gave the same bits.</param>
public sealed record KernelCheck(string Operation, double Error, double Limit, bool Repeatable)
{
    /// <summary>True when the float32 result is finite and within the limit.</summary>
    public bool Passed => double.IsFinite(Error) && Error <= Limit;
}

/// <summary>The numeric self-check's findings.</summary>
/// <param name="Checks">Every compared quantity.</param>
/// <param name="Threads">The intra-op threads it ran with.</param>
/// <param name="OneDnn">Whether oneDNN kernels were enabled during it.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record KernelCheckReport(IReadOnlyList<KernelCheck> Checks, int Threads, bool OneDnn, TimeSpan Elapsed)
{
    /// <summary>True when every check passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);

    /// <summary>True when every float32 result repeated bit for bit.</summary>
    public bool Repeatable => Checks.All(c => c.Repeatable);

    /// <summary>The failed check with the largest error (NaN first), or null.</summary>
    public KernelCheck? WorstFailure => Checks.Where(c => !c.Passed)
        .OrderByDescending(c => double.IsFinite(c.Error) ? c.Error / c.Limit : double.PositiveInfinity)
        .FirstOrDefault();
}
