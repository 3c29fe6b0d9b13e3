using System.Globalization;
using System.Text;

namespace CellSeg.Models.CenterMask;

/// <summary>
/// A CenterMask training's history as CSV, one row per iteration: <c>iteration,learning_rate,total_loss</c>, each loss
/// component of <see cref="CenterMaskLosses.Names"/> and <c>images_per_second</c>. Numbers are round-trip ("R") and
/// culture-invariant; a component an iteration did not report is an empty cell. Feed it the trainer's progress.
/// </summary>
public sealed class CenterMaskHistoryCsv
{
    private readonly StringBuilder _csv = new(Header);

    /// <summary>The header line (with its newline): all a history without iterations holds, e.g. an exported checkpoint's.</summary>
    public static string Header { get; } = "iteration,learning_rate,total_loss," + string.Join(',', CenterMaskLosses.Names) + ",images_per_second\n";

    /// <summary>Adds a row for an <see cref="CenterMaskTrainEvent.Iteration"/> report; other reports add nothing.</summary>
    public void Add(CenterMaskTrainProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (progress.Event != CenterMaskTrainEvent.Iteration)
        {
            return;
        }

        _csv.Append(CultureInfo.InvariantCulture, $"{progress.Iteration},{progress.LearningRate:R},{progress.TotalLoss:R}");
        foreach (var key in CenterMaskLosses.Names)
        {
            _csv.Append(CultureInfo.InvariantCulture, $",{(progress.Losses.TryGetValue(key, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty)}");
        }

        _csv.Append(CultureInfo.InvariantCulture, $",{progress.ImagesPerSecond:R}\n");
    }

    /// <summary>The CSV so far, header included.</summary>
    public override string ToString() => _csv.ToString();

    /// <summary>Writes the CSV so far to <paramref name="path"/> (replacing it).</summary>
    public Task WriteAsync(string path, CancellationToken cancellationToken = default) => File.WriteAllTextAsync(path, _csv.ToString(), cancellationToken);
}
