using System.Globalization;
using CellSegFlows.Engine.Store;
using Spectre.Console;

namespace CellSegFlows.Cli.Commands;

/// <summary>How the schedule and watch commands write times, firings and the one thing users must know about triggers.</summary>
internal static class TriggerText
{
    /// <summary>Triggers are records: something has to be running for them to fire.</summary>
    public const string FireNote = "schedules and watches fire only while an engine process runs on this store: [bold]cellsegflows worker[/] (or during [bold]cellsegflows run[/]); a running engine picks up changes within seconds.";

    public static void Note(IAnsiConsole console) => console.MarkupLine("[yellow]note:[/] " + FireNote);

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    public static string Firing(TriggerFiringRecord? firing)
    {
        if (firing is null)
        {
            return "-";
        }

        var what = firing.Outcome switch
        {
            FiringOutcome.Started => $"started {firing.RunId}",
            FiringOutcome.SkippedOverlap => "skipped (previous run still running)",
            _ => "failed: " + (firing.Message ?? string.Empty).Split('\n')[0],
        };
        return $"{Time(firing.Time)} {what}";
    }
}
