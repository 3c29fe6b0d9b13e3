using CellSeg.Models.Tests.CenterMask;
using ScottPlot;

namespace CellSeg.Models.Bench.CenterMask;

/// <summary>The two implementations' loss curves, one PNG per loss (and the total), TorchSharp solid, PyTorch dashed on top.</summary>
internal static class CenterMaskCurvesPlot
{
    /// <summary>Writes curves-NAME.png into <paramref name="folder"/> for every loss; returns the paths.</summary>
    public static IReadOnlyList<string> Write(string folder, CurveRun ours, CurveRun? theirs)
    {
        var paths = new List<string>();
        foreach (var name in CenterMaskCurves.Names.Append("total"))
        {
            var plot = new Plot();
            Add(plot, ours, name, "TorchSharp", Colors.Blue, LinePattern.Solid, 3);
            if (theirs is not null)
            {
                Add(plot, theirs, name, "PyTorch mirror", Colors.Orange, LinePattern.Dashed, 1.5f);
            }

            plot.Title($"{name}: TorchSharp vs PyTorch, same initial weights");
            plot.XLabel("iteration");
            plot.YLabel(name);
            plot.ShowLegend(Alignment.UpperRight);
            var path = Path.Combine(folder, $"curves-{name}.png");
            plot.SavePng(path, 640, 400);
            paths.Add(path);
        }

        return paths;
    }

    private static void Add(Plot plot, CurveRun run, string name, string label, Color colour, LinePattern pattern, float width)
    {
        var points = run.Curve.Select((p, i) => (X: i + 1.0, Y: name == "total" ? p.Total : p.Losses[name])).Where(p => double.IsFinite(p.Y)).ToList();
        var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
        line.Color = colour;
        line.LinePattern = pattern;
        line.LineWidth = width;
        line.MarkerSize = 0;
        line.LegendText = label;
    }
}
