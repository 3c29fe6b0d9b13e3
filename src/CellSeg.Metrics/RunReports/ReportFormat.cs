using System.Globalization;

namespace CellSeg.Metrics.RunReports;

/// <summary>Number formats shared by the report's HTML, Markdown and console tables.</summary>
public static class ReportFormat
{
    /// <summary>A score to 4 decimals, or "–".</summary>
    public static string Value(double? value) => value is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "–";

    /// <summary>A signed difference to 4 decimals, or empty.</summary>
    public static string Delta(double? delta) => delta is { } d ? (d >= 0 ? "+" : "−") + Math.Abs(d).ToString("0.0000", CultureInfo.InvariantCulture) : string.Empty;

    /// <summary>True when <paramref name="delta"/> of <paramref name="metric"/> is an improvement (AFNR: lower is better).</summary>
    public static bool IsBetter(string metric, double delta) => metric == "AFNR" ? delta < 0 : delta > 0;

    /// <summary>The table's caption per metric.</summary>
    public static string Caption(string metric) => metric switch
    {
        "F1" => "F1 (= Dice) of the cell masks, pooled over the split's pixels (paper Tables 1–3)",
        "AP" => "AP, COCO mask AP at IoU 0.50:0.95 with LIVECell's settings (paper Tables 3–4)",
        _ => "AFNR, average false-negative ratio over IoU 0.50:0.95, lower is better (paper Tables 3–4)",
    };
}
