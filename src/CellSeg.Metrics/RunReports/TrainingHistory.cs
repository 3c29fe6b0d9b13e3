using System.Globalization;

namespace CellSeg.Metrics.RunReports;

/// <summary>One row of a training history: the iteration reached, the loss, the validation F1 if measured, the learning rate.</summary>
public sealed record HistoryPoint(long Iteration, double Loss, double? ValidationF1, double LearningRate);

/// <summary>
/// A model's training history, read from TrainUNet's CSV (<c>epoch,iteration,mean_loss,validation_f1,learning_rate</c>,
/// one row per epoch) or FinetuneCenterMask's (<c>iteration,learning_rate,total_loss,…</c>, one row per logged iteration),
/// with the schedule's shape recovered from the learning rates: where warm-up ends and where the rate drops (milestones).
/// </summary>
/// <param name="Model">The model's name.</param>
/// <param name="Points">The rows, in order.</param>
public sealed record TrainingHistory(string Model, IReadOnlyList<HistoryPoint> Points)
{
    /// <summary>Most rows read from one file; a longer history is thinned evenly (the figure has fewer pixels than that anyway).</summary>
    public const int MaxPoints = 20_000;

    /// <summary>The iteration where the learning rate first stops rising (warm-up's end), or null when it never rose.</summary>
    public long? WarmupEnd
    {
        get
        {
            if (Points.Count < 2 || Points[1].LearningRate <= Points[0].LearningRate)
            {
                return null;
            }

            for (var i = 1; i < Points.Count - 1; i++)
            {
                if (Points[i + 1].LearningRate <= Points[i].LearningRate)
                {
                    return Points[i].Iteration;
                }
            }

            return Points[^1].Iteration;
        }
    }

    /// <summary>The iterations after which the learning rate fell by more than 10 % (the milestones of a step schedule).</summary>
    public IReadOnlyList<long> Milestones
    {
        get
        {
            var drops = new List<long>();
            for (var i = 1; i < Points.Count; i++)
            {
                if (Points[i].LearningRate < Points[i - 1].LearningRate * 0.9)
                {
                    drops.Add(Points[i - 1].Iteration);
                }
            }

            return drops;
        }
    }

    /// <summary>Reads a history CSV.</summary>
    /// <exception cref="FormatException">Not a history CSV, or a bad number; the message names the file and line.</exception>
    public static async Task<TrainingHistory> ReadAsync(string model, string path, CancellationToken cancellationToken = default)
    {
        var lines = await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(model, path, lines);
    }

    /// <summary>Parses the lines of a history CSV (<paramref name="path"/> is for messages).</summary>
    public static TrainingHistory Parse(string model, string path, IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
        {
            throw new FormatException($"{path}: empty, not a training history");
        }

        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        var iteration = header.IndexOf("iteration");
        var loss = header.IndexOf("mean_loss") is >= 0 and var l ? l : header.IndexOf("total_loss");
        var validation = header.IndexOf("validation_f1");
        var lr = header.IndexOf("learning_rate");
        if (iteration < 0 || loss < 0 || lr < 0)
        {
            throw new FormatException($"{path}: line 1: not a training history (needs iteration, mean_loss or total_loss, learning_rate)");
        }

        var rows = lines.Count - 1;
        var stride = Math.Max(1, (rows + MaxPoints - 1) / MaxPoints);
        var points = new List<HistoryPoint>();
        for (var i = 1; i < lines.Count; i += stride)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var cells = lines[i].Split(',');
            double Cell(int column) =>
                column < cells.Length && double.TryParse(cells[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                    ? v
                    : throw new FormatException($"{path}: line {i + 1}: '{header[column]}' is not a number");
            double? validationF1 = validation >= 0 && validation < cells.Length && cells[validation].Length > 0 ? Cell(validation) : null;
            points.Add(new HistoryPoint((long)Cell(iteration), Cell(loss), validationF1, Cell(lr)));
        }

        return new TrainingHistory(model, points);
    }
}
