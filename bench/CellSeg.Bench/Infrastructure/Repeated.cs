namespace CellSeg.Bench.Infrastructure;

/// <summary>
/// The runs of one measurement, each in a fresh process. Figures come from the median run (by wall
/// time), so the numbers in one row belong together; the range shows how much runs differ.
/// </summary>
internal sealed class Repeated<T>(IReadOnlyList<T> runs, Func<T, double> seconds)
{
    public IReadOnlyList<T> Runs => runs;

    /// <summary>The run with the median time (the lower middle one for an even count).</summary>
    public T Median => runs.OrderBy(seconds).ElementAt((runs.Count - 1) / 2);

    public double MedianSeconds => seconds(Median);

    public double Min => runs.Min(seconds);

    public double Max => runs.Max(seconds);

    /// <summary>"min–max" seconds, or "-" for a single run.</summary>
    public string Range => runs.Count == 1 ? "-" : $"{Units.Seconds(Min)}-{Units.Seconds(Max)}";

    public static async Task<Repeated<T>> RunAsync(int count, Func<int, Task<T>> run, Func<T, double> seconds)
    {
        var results = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            results.Add(await run(i).ConfigureAwait(false));
        }

        return new Repeated<T>(results, seconds);
    }
}
