using System.Globalization;
using System.Text.RegularExpressions;

namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// Durations as written in definitions (<c>timeout</c>, <c>retry.delay</c>, <c>retry.maxDelay</c>).
/// Accepted forms:
/// <list type="bullet">
/// <item>a number and a unit, no space: <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>2h</c>; the number may have a
/// fraction (<c>1.5h</c>); units are <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, lowercase;</item>
/// <item>clock form <c>hh:mm:ss</c> with one or more hour digits and two-digit minutes and seconds below 60,
/// optionally with a fraction of a second: <c>00:30:00</c>, <c>36:00:00</c>, <c>00:00:01.5</c>.</item>
/// </list>
/// Negative durations cannot be written. ISO-8601 <c>PT30S</c> and compound <c>1h30m</c> are not accepted.
/// </summary>
public static partial class DurationText
{
    /// <summary>For messages: the accepted forms in words.</summary>
    public const string Forms = "a number and a unit (500ms, 30s, 10m, 2h) or hh:mm:ss";

    /// <summary>Parses one of the accepted forms; false for anything else or a duration too long for <see cref="TimeSpan"/>.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text is null)
        {
            return false;
        }

        var unit = UnitForm().Match(text);
        if (unit.Success)
        {
            var amount = double.Parse(unit.Groups["amount"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var milliseconds = unit.Groups["unit"].Value switch
            {
                "ms" => amount,
                "s" => amount * 1_000,
                "m" => amount * 60_000,
                _ => amount * 3_600_000,
            };
            return TryFromMilliseconds(milliseconds, out duration);
        }

        var clock = ClockForm().Match(text);
        if (clock.Success)
        {
            var hours = double.Parse(clock.Groups["h"].Value, CultureInfo.InvariantCulture);
            var minutes = int.Parse(clock.Groups["m"].Value, CultureInfo.InvariantCulture);
            var seconds = double.Parse(clock.Groups["s"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            if (minutes >= 60 || seconds >= 60)
            {
                return false;
            }

            return TryFromMilliseconds(((hours * 3600) + (minutes * 60) + seconds) * 1000, out duration);
        }

        return false;
    }

    /// <summary>
    /// The shortest unit form that is exact: whole hours as <c>2h</c>, whole minutes as <c>90m</c>, whole
    /// seconds as <c>45s</c>, else milliseconds (<c>1500ms</c>, fractions of a millisecond kept as decimals).
    /// <see cref="TryParse"/> reads it back to the same value.
    /// </summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "Durations in definitions cannot be negative.");
        }

        var ticks = duration.Ticks;
        if (ticks % TimeSpan.TicksPerHour == 0 && ticks > 0)
        {
            return (ticks / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "h";
        }

        if (ticks % TimeSpan.TicksPerMinute == 0 && ticks > 0)
        {
            return (ticks / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture) + "m";
        }

        if (ticks % TimeSpan.TicksPerSecond == 0)
        {
            return (ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + "s";
        }

        var whole = ticks / TimeSpan.TicksPerMillisecond;
        var rest = ticks % TimeSpan.TicksPerMillisecond;
        return rest == 0
            ? whole.ToString(CultureInfo.InvariantCulture) + "ms"
            : whole.ToString(CultureInfo.InvariantCulture) + "." + rest.ToString("D4", CultureInfo.InvariantCulture).TrimEnd('0') + "ms";
    }

    private static bool TryFromMilliseconds(double milliseconds, out TimeSpan duration)
    {
        // Rounded to whole ticks (100 ns) so that a value reads the same whichever unit wrote it.
        var ticks = Math.Round(milliseconds * TimeSpan.TicksPerMillisecond);
        if (double.IsNaN(ticks) || ticks >= TimeSpan.MaxValue.Ticks)
        {
            duration = TimeSpan.Zero;
            return false;
        }

        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    [GeneratedRegex(@"^(?<amount>[0-9]+(?:\.[0-9]+)?)(?<unit>ms|s|m|h)\z", RegexOptions.CultureInvariant)]
    private static partial Regex UnitForm();

    [GeneratedRegex(@"^(?<h>[0-9]+):(?<m>[0-9]{2}):(?<s>[0-9]{2}(?:\.[0-9]+)?)\z", RegexOptions.CultureInvariant)]
    private static partial Regex ClockForm();
}
