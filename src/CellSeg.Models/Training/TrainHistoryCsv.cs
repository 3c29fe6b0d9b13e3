using System.Globalization;
using System.Text;

namespace CellSeg.Models.Training;

/// <summary>
/// A U-Net training's history (<see cref="TrainResult.History"/>) as CSV, one row per epoch:
/// <c>epoch,iteration,mean_loss,validation_f1,learning_rate</c>, numbers round-trip ("R") and culture-invariant, an empty
/// cell for an epoch without validation.
/// </summary>
public static class TrainHistoryCsv
{
    /// <summary>The header line, with its newline.</summary>
    public const string Header = "epoch,iteration,mean_loss,validation_f1,learning_rate\n";

    /// <summary>The CSV of <paramref name="history"/>, header included.</summary>
    public static string Format(IEnumerable<EpochSummary> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var csv = new StringBuilder(Header);
        foreach (var e in history)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{e.Iteration},{e.MeanLoss:R},{e.ValidationF1?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty},{e.LearningRate:R}\n");
        }

        return csv.ToString();
    }

    /// <summary>Writes the CSV of <paramref name="history"/> to <paramref name="path"/> (replacing it).</summary>
    public static Task WriteAsync(IEnumerable<EpochSummary> history, string path, CancellationToken cancellationToken = default) =>
        File.WriteAllTextAsync(path, Format(history), cancellationToken);
}
