using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CellSeg.Data.IO;
using ScottPlot;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CellSeg.Synthesis.Diagnostics;

/// <summary>Writes a <see cref="DiagnosticsReport"/> as JSON and as one self-contained HTML page (plots and crops embedded as data: URIs).</summary>
public static class DiagnosticsPage
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The report as indented JSON (camelCase; crops are left out).</summary>
    public static string ToJson(DiagnosticsReport report) => JsonSerializer.Serialize(report, Json);

    /// <summary>Writes the JSON file (atomically).</summary>
    public static Task WriteJsonAsync(DiagnosticsReport report, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var bytes = Encoding.UTF8.GetBytes(ToJson(report));
        return AtomicFile.WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), cancellationToken);
    }

    /// <summary>Writes the HTML page (atomically).</summary>
    public static Task WriteHtmlAsync(DiagnosticsReport report, string path, string title, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var bytes = Encoding.UTF8.GetBytes(ToHtml(report, title));
        return AtomicFile.WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), cancellationToken);
    }

    /// <summary>The page: a summary table, then per cell type its numbers, histogram and halo plots, and real and synthetic crops side by side.</summary>
    public static string ToHtml(DiagnosticsReport report, string title)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}.crops{display:flex;gap:16px;flex-wrap:wrap}.crops figure{margin:0}.crops img{image-rendering:pixelated;width:256px}figcaption{font-size:12px;color:#555;max-width:256px;overflow-wrap:anywhere}")
            .Append("</style></head><body><h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1>");
        html.Append(c, $"<p>Halo profile from −{report.HaloRadius} px (inside a cell) to +{report.HaloRadius} px (outside); background statistics on pixels at least {report.FarBackground} px from every cell. ");
        html.Append(c, $"The training sampler draws {report.SyntheticCropShare:P1} of its crops from synthetic images ({(report.SyntheticFraction is { } f ? $"syntheticFraction {f:0.###}" : "images drawn uniformly")}).</p>");
        html.Append("<table><tr><th>cell type</th><th>images real / synth.</th><th>cells per image real / synth.</th><th>coverage real / synth.</th><th>histogram distance (all / cell / background)</th><th>halo RMS diff.</th><th>edge gradient real / synth.</th><th>bg local std real / synth.</th><th>bg seam ratio real / synth.</th><th>synthetic crops</th></tr>");
        foreach (var t in report.CellTypes)
        {
            html.Append(c, $"<tr><td>{WebUtility.HtmlEncode(t.CellType)}</td><td>{t.Real.Images} / {t.Synthetic.Images}</td><td>{t.Real.CellsPerImageMean:0} / {t.Synthetic.CellsPerImageMean:0}</td>")
                .Append(c, $"<td>{t.Real.CoverageMean:P0} / {t.Synthetic.CoverageMean:P0}</td><td>{t.HistogramDistance:0.0} / {t.CellHistogramDistance:0.0} / {t.BackgroundHistogramDistance:0.0}</td><td>{t.HaloDistance:0.0}</td>")
                .Append(c, $"<td>{t.Real.EdgeGradient:0.0} / {t.Synthetic.EdgeGradient:0.0}</td><td>{t.Real.BackgroundLocalStd:0.0} / {t.Synthetic.BackgroundLocalStd:0.0}</td><td>{t.Real.BackgroundSeamRatio:0.00} / {t.Synthetic.BackgroundSeamRatio:0.00}</td><td>{t.SyntheticCropShare:P0}</td></tr>");
        }

        html.Append("</table>");
        foreach (var t in report.CellTypes)
        {
            html.Append("<h2>").Append(WebUtility.HtmlEncode(t.CellType)).Append("</h2><table><tr><th></th><th>real</th><th>synthetic</th></tr>");
            Row(html, "images", t.Real.Images, t.Synthetic.Images, "0");
            Row(html, "cells per image (mean)", t.Real.CellsPerImageMean, t.Synthetic.CellsPerImageMean, "0.0");
            html.Append(c, $"<tr><td>cells per image (min–max)</td><td>{t.Real.CellsPerImageMin}–{t.Real.CellsPerImageMax}</td><td>{t.Synthetic.CellsPerImageMin}–{t.Synthetic.CellsPerImageMax}</td></tr>");
            Row(html, "coverage", t.Real.CoverageMean, t.Synthetic.CoverageMean, "P1");
            Row(html, "cell mean ± std", $"{t.Real.CellMean:0.0} ± {t.Real.CellStd:0.0}", $"{t.Synthetic.CellMean:0.0} ± {t.Synthetic.CellStd:0.0}");
            Row(html, "background mean ± std", $"{t.Real.BackgroundMean:0.0} ± {t.Real.BackgroundStd:0.0}", $"{t.Synthetic.BackgroundMean:0.0} ± {t.Synthetic.BackgroundStd:0.0}");
            Row(html, "background local std (5×5)", t.Real.BackgroundLocalStd, t.Synthetic.BackgroundLocalStd, "0.00");
            Row(html, "background gradient energy", t.Real.BackgroundGradientEnergy, t.Synthetic.BackgroundGradientEnergy, "0.0");
            Row(html, "background seam ratio", t.Real.BackgroundSeamRatio, t.Synthetic.BackgroundSeamRatio, "0.00");
            Row(html, "edge gradient", t.Real.EdgeGradient, t.Synthetic.EdgeGradient, "0.00");
            html.Append("</table>");
            html.Append("<div class=\"crops\">")
                .Append(Figure(HistogramPlot(t), "intensity histograms (all pixels)"))
                .Append(Figure(HaloPlot(t, report.HaloRadius), "halo profile: gray level minus background median vs signed distance to the boundary"))
                .Append("</div><div class=\"crops\">");
            foreach (var (crops, source) in new[] { (t.Real.Crops, "real"), (t.Synthetic.Crops, "synthetic") })
            {
                foreach (var crop in crops)
                {
                    html.Append(Figure(CropPng(crop), string.Create(c, $"{source}: {crop.FileName} ({crop.X}, {crop.Y})")));
                }
            }

            html.Append("</div>");
        }

        return html.Append("</body></html>").ToString();
    }

    private static void Row(StringBuilder html, string name, double real, double synthetic, string format) =>
        Row(html, name, real.ToString(format, CultureInfo.InvariantCulture), synthetic.ToString(format, CultureInfo.InvariantCulture));

    private static void Row(StringBuilder html, string name, string real, string synthetic) =>
        html.Append("<tr><td>").Append(name).Append("</td><td>").Append(real).Append("</td><td>").Append(synthetic).Append("</td></tr>");

    private static string Figure(byte[] png, string caption) =>
        $"<figure><img alt=\"{WebUtility.HtmlEncode(caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"><figcaption>{WebUtility.HtmlEncode(caption)}</figcaption></figure>";

    private static byte[] HistogramPlot(CellTypeDiagnostics t)
    {
        var plot = new Plot();
        var xs = Enumerable.Range(0, 256).Select(i => (double)i).ToArray();
        foreach (var (histogram, label, colour) in new[] { (t.Real.Histogram, "real", Colors.Black), (t.Synthetic.Histogram, "synthetic", Colors.OrangeRed) })
        {
            var line = plot.Add.ScatterLine(xs, histogram.ToArray());
            line.LegendText = label;
            line.Color = colour;
        }

        plot.XLabel("gray level");
        plot.YLabel("share of pixels");
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(420, 300, ImageFormat.Png);
    }

    private static byte[] HaloPlot(CellTypeDiagnostics t, int radius)
    {
        var plot = new Plot();
        foreach (var (profile, label, colour) in new[] { (t.Real.HaloProfile, "real", Colors.Black), (t.Synthetic.HaloProfile, "synthetic", Colors.OrangeRed) })
        {
            var points = profile.Select((v, i) => (X: i < radius ? i - radius : i - radius + 1, V: v)).Where(p => p.V is not null).ToArray();
            var line = plot.Add.Scatter(points.Select(p => (double)p.X).ToArray(), points.Select(p => p.V!.Value).ToArray());
            line.LegendText = label;
            line.Color = colour;
        }

        plot.Add.VerticalLine(0, 1, Colors.Gray);
        plot.XLabel("distance to boundary (px, − inside)");
        plot.YLabel("gray − background");
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(420, 300, ImageFormat.Png);
    }

    private static byte[] CropPng(DiagnosticCrop crop)
    {
        using var image = SixLabors.ImageSharp.Image.LoadPixelData<L8>(crop.Pixels, crop.Size, crop.Size);
        using var buffer = new MemoryStream();
        image.SaveAsPng(buffer);
        return buffer.ToArray();
    }
}
