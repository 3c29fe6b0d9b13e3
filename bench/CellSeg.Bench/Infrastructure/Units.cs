using System.Globalization;

namespace CellSeg.Bench.Infrastructure;

/// <summary>How figures are printed: binary megabytes (MiB), seconds, thousands separators.</summary>
internal static class Units
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static double MiB(long bytes) => bytes / (1024.0 * 1024.0);

    public static string Mib(long bytes) => bytes < 0 ? "n/a" : MiB(bytes).ToString("N0", Invariant);

    public static string Seconds(double seconds) => seconds.ToString(seconds < 10 ? "F2" : "F1", Invariant);

    public static string Count(long n) => n.ToString("N0", Invariant);

    public static string Rate(double perSecond) => perSecond.ToString("N0", Invariant);

    public static string Ratio(double value) => value.ToString("F2", Invariant);

    public static string Metric(double value) => value.ToString("F6", Invariant);

    public static string Signed(double value) => value.ToString("+0.0E+00;-0.0E+00;0", Invariant);

    public static string Invariant2(FormattableString text) => text.ToString(Invariant);
}
