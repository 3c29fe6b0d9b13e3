using ScottPlot;

namespace CellSeg.Metrics.RunReports;

/// <summary>The report's figures as PNG bytes (ScottPlot): PR curves, AP per IoU, bars per cell type, training curves, a Gantt of the steps.</summary>
public static class ReportFigures
{
    /// <summary>Width of a figure in pixels.</summary>
    public const int Width = 860;

    /// <summary>Height of a figure in pixels.</summary>
    public const int Height = 420;

    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    /// <summary>Precision against recall at one IoU threshold, one line per row, for one model.</summary>
    public static byte[] PrCurves(ModelResult model, double iou, Func<string, string> label)
    {
        ArgumentNullException.ThrowIfNull(model);
        var plot = new Plot();
        foreach (var (row, scores) in Ordered(model))
        {
            var curve = iou >= 0.7 ? scores.PrIou75 : scores.PrIou50;
            if (curve is null || model.RecallThresholds.Count != curve.Count)
            {
                continue;
            }

            var xs = new List<double>();
            var ys = new List<double>();
            for (var r = 0; r < curve.Count; r++)
            {
                // pycocotools leaves precision at 0 beyond the largest recall reached: the curve ends there.
                if (curve[r] > 0)
                {
                    xs.Add(model.RecallThresholds[r]);
                    ys.Add(curve[r]);
                }
            }

            if (xs.Count == 0)
            {
                continue;
            }

            var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
            line.Color = ColourOf(row);
            line.LineWidth = row == PaperReference.WholeSet ? 3 : 1.5f;
            line.LegendText = label(row);
        }

        plot.Title($"{model.Model}: precision–recall at IoU {iou:0.00}");
        plot.XLabel("recall");
        plot.YLabel("precision");
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>AP at each IoU threshold 0.50:0.05:0.95, one line per row, for one model.</summary>
    public static byte[] ApPerIou(ModelResult model, Func<string, string> label)
    {
        ArgumentNullException.ThrowIfNull(model);
        var plot = new Plot();
        foreach (var (row, scores) in Ordered(model))
        {
            if (scores.ApPerIou is not { Count: > 0 } ap)
            {
                continue;
            }

            var xs = Enumerable.Range(0, ap.Count).Select(i => 0.5 + 0.05 * i).ToArray();
            var line = plot.Add.Scatter(xs, ap.Select(v => Math.Max(v, 0)).ToArray());
            line.Color = ColourOf(row);
            line.LineWidth = row == PaperReference.WholeSet ? 3 : 1.5f;
            line.LegendText = label(row);
        }

        plot.Title($"{model.Model}: AP per IoU threshold");
        plot.XLabel("IoU threshold");
        plot.YLabel("AP");
        plot.Axes.SetLimits(0.48, 0.97, 0, 1.02);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>Grouped bars of one metric: a group per row, a bar per model that has the metric.</summary>
    public static byte[] Bars(IReadOnlyList<ModelResult> models, string metric, IReadOnlyList<string> rows, Func<string, string> label)
    {
        ArgumentNullException.ThrowIfNull(models);
        var plot = new Plot();
        var withMetric = models.Where(m => m.Rows.Values.Any(s => s.Get(metric) is not null)).ToList();
        var width = 0.8 / Math.Max(1, withMetric.Count);
        var bars = new List<Bar>();
        for (var m = 0; m < withMetric.Count; m++)
        {
            var colour = Palette.GetColor(m);
            for (var s = 0; s < rows.Count; s++)
            {
                if (withMetric[m].Rows.GetValueOrDefault(rows[s])?.Get(metric) is { } v)
                {
                    bars.Add(new Bar { Position = s - 0.4 + width * (m + 0.5), Value = v, Size = width * 0.92, FillColor = colour, LineWidth = 0 });
                }
            }

            plot.Legend.ManualItems.Add(new LegendItem { LabelText = withMetric[m].Model, FillColor = colour });
        }

        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, rows.Count).Select(i => (double)i)], [.. rows.Select(label)]);
        plot.Title(metric == "AFNR" ? "AFNR per cell type (lower is better)" : $"{metric} per cell type");
        plot.YLabel(metric);
        plot.Axes.SetLimits(-0.6, rows.Count - 0.4, 0, 1.05);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>One quantity of every history against iterations (loss, validation F1 or learning rate), with warm-up ends and milestones as dashed lines on the learning-rate plot.</summary>
    public static byte[] Training(IReadOnlyList<TrainingHistory> histories, string quantity)
    {
        ArgumentNullException.ThrowIfNull(histories);
        var plot = new Plot();
        for (var h = 0; h < histories.Count; h++)
        {
            var history = histories[h];
            var points = quantity switch
            {
                "validation F1" => history.Points.Where(p => p.ValidationF1 is not null).Select(p => (X: (double)p.Iteration, Y: p.ValidationF1!.Value)).ToList(),
                // Rates span decades (warm-up, milestones ×0.1): drawn as log10, so a drop is a visible step.
                "learning rate" => history.Points.Where(p => p.LearningRate > 0).Select(p => (X: (double)p.Iteration, Y: Math.Log10(p.LearningRate))).ToList(),
                _ => history.Points.Where(p => double.IsFinite(p.Loss)).Select(p => (X: (double)p.Iteration, Y: p.Loss)).ToList(),
            };
            if (points.Count == 0)
            {
                continue;
            }

            var colour = Palette.GetColor(h);
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            line.Color = colour;
            line.MarkerSize = points.Count > 60 ? 0 : 4;
            line.LegendText = history.Model;
            if (quantity == "learning rate")
            {
                if (history.WarmupEnd is { } warm)
                {
                    var v = plot.Add.VerticalLine(warm);
                    v.Color = colour.WithAlpha(0.6);
                    v.LinePattern = LinePattern.Dotted;
                }

                foreach (var milestone in history.Milestones)
                {
                    var v = plot.Add.VerticalLine(milestone);
                    v.Color = colour.WithAlpha(0.6);
                    v.LinePattern = LinePattern.Dashed;
                }
            }
        }

        plot.Title(quantity == "learning rate" ? "learning rate (dotted: end of warm-up; dashed: milestones)" : quantity);
        plot.XLabel("iteration");
        plot.YLabel(quantity == "learning rate" ? "log10 learning rate" : quantity);
        plot.ShowLegend(quantity == "validation F1" ? Alignment.LowerRight : Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>A Gantt chart of the steps: a bar per step from its start to its end (seconds since the first start), coloured by queue.</summary>
    public static byte[] Gantt(IReadOnlyList<StepTiming> steps, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var plot = new Plot();
        var origin = steps.Min(s => s.StartedAt);
        var queues = steps.Select(s => s.Queue).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var bars = new List<Bar>();
        var labels = new List<string>();
        for (var i = 0; i < steps.Count; i++)
        {
            var s = steps[i];
            var y = steps.Count - 1 - i;
            var start = (s.StartedAt - origin).TotalSeconds;
            var end = ((s.FinishedAt ?? now) - origin).TotalSeconds;
            bars.Add(new Bar
            {
                Position = y, ValueBase = start, Value = Math.Max(end, start + 0.01), Size = 0.7, LineWidth = 0,
                FillColor = Palette.GetColor(queues.IndexOf(s.Queue)).WithAlpha(s.Status == "Succeeded" || s.Status == "Cached" ? 1 : 0.45),
            });
            labels.Add($"{s.Label} · {s.Worker ?? "?"} · {s.Queue}{(s.Device is null ? string.Empty : "/" + s.Device)}");
        }

        var plotted = plot.Add.Bars(bars);
        plotted.Horizontal = true;
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, steps.Count).Select(i => (double)(steps.Count - 1 - i))], [.. labels]);
        for (var q = 0; q < queues.Count; q++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "queue " + queues[q], FillColor = Palette.GetColor(q) });
        }

        plot.Title("steps of the run (faded: not succeeded)");
        plot.XLabel("seconds since the first step started");
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(Width + 200, Math.Max(240, 60 + 24 * steps.Count), ImageFormat.Png);
    }

    // A cell type in its colour (CellTypeColours, as the PCA plot), the whole set in black, anything else gray.
    private static Color ColourOf(string row) => row == PaperReference.WholeSet ? Colors.Black : CellTypeColours.TryGet(row, out var c) ? c : Colors.Gray;

    private static IEnumerable<KeyValuePair<string, RowScores>> Ordered(ModelResult model) =>
        model.Rows.OrderBy(s => s.Key == PaperReference.WholeSet ? 0 : 1).ThenBy(s => s.Key, StringComparer.OrdinalIgnoreCase);
}
