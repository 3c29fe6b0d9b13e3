using System.Globalization;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using Spectre.Console;

namespace CellSegFlows.Cli.Rendering;

/// <summary>Draws a run: a live bar per step while it runs (or one line per state change in logs), and a summary table at the end.</summary>
internal static class RunView
{
    public static async Task<RunRecord> FollowAsync(IAnsiConsole console, WorkflowEngine engine, string runId, CancellationToken cancellationToken)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            var seen = new Dictionary<string, StepStatus>(StringComparer.Ordinal);
            return await engine.WaitForRunAsync(runId, new CellSeg.Data.SyncProgress<RunSnapshot>(s =>
            {
                foreach (var step in s.Steps)
                {
                    if (!seen.TryGetValue(step.Id, out var status) || status != step.Status)
                    {
                        seen[step.Id] = step.Status;
                        console.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {Short(step)} [bold]{step.Status}[/]{(step.Attempt > 1 ? $" (attempt {step.Attempt})" : string.Empty)}");
                    }
                }
            }), cancellationToken).ConfigureAwait(false);
        }

        RunRecord? final = null;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                final = await engine.WaitForRunAsync(runId, new CellSeg.Data.SyncProgress<RunSnapshot>(s =>
                {
                    foreach (var step in s.Steps)
                    {
                        if (!tasks.TryGetValue(step.Id, out var task))
                        {
                            task = tasks[step.Id] = ctx.AddTask(Markup.Escape(Short(step)), maxValue: 1);
                        }

                        task.Description = Markup.Escape($"{Short(step)} {step.Status}{(step.ProgressMessage is { } m ? $" · {m}" : string.Empty)}");
                        task.Value = step.Status is StepStatus.Succeeded or StepStatus.Cached ? 1 : step.Progress ?? 0;
                        if (RunIsOver(step.Status))
                        {
                            task.StopTask();
                        }
                    }
                }), cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return final!;
    }

    public static void Summary(IAnsiConsole console, RunDetail detail)
    {
        var run = detail.Run;
        var colour = run.Status switch
        {
            RunStatus.Succeeded => "green",
            RunStatus.Failed => "red",
            _ => "yellow",
        };
        console.MarkupLineInterpolated($"run [bold]{run.Id}[/] of [bold]{run.WorkflowId}[/] (version {run.DefinitionHash[..12]}): [{colour}]{run.Status}[/] in {Duration(run.CreatedAt, run.FinishedAt)}");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("step", "activity", "status", "attempts", "duration", "worker", "error");
        foreach (var s in detail.Steps)
        {
            table.AddRow(
                Markup.Escape(Short(s)),
                Markup.Escape(s.Activity),
                s.Status.ToString(),
                s.Attempt.ToString(CultureInfo.InvariantCulture),
                Duration(s.StartedAt, s.FinishedAt),
                Markup.Escape(s.Worker ?? string.Empty),
                Markup.Escape(FirstLine(s.Error)));
        }

        foreach (var n in detail.Nodes.Where(n => n.Status is StepStatus.Skipped or StepStatus.Cancelled && detail.Steps.All(s => s.NodeId != n.NodeId)))
        {
            table.AddRow(Markup.Escape(n.NodeId), string.Empty, n.Status.ToString(), "0", string.Empty, string.Empty, string.Empty);
        }

        console.Write(table);
        if (run.Error is not null && run.Status != RunStatus.Succeeded)
        {
            console.MarkupLineInterpolated($"[red]first cause:[/] {FirstLine(run.Error)}");
        }

        if (run.OutputsJson is not null)
        {
            console.MarkupLineInterpolated($"outputs: {run.OutputsJson}");
        }
    }

    public static string Short(StepRecord step) => step.Id.Length > step.RunId.Length ? step.Id[(step.RunId.Length + 1)..] : step.Id;

    public static string Duration(DateTimeOffset? start, DateTimeOffset? end) =>
        start is { } s && end is { } e ? $"{(e - s).TotalSeconds:0.0} s" : string.Empty;

    private static bool RunIsOver(StepStatus status) => status is StepStatus.Succeeded or StepStatus.Cached or StepStatus.Failed or StepStatus.Skipped or StepStatus.Cancelled;

    private static string FirstLine(string? text) => text is null ? string.Empty : text.Split('\n')[0];
}
