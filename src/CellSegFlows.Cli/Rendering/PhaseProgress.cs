using Spectre.Console;

namespace CellSegFlows.Cli.Rendering;

/// <summary>
/// Draws (phase, fraction) progress reports: a live bar per phase on an interactive terminal, one
/// line per phase otherwise (CI logs, pipes, tests).
/// </summary>
internal static class PhaseProgress
{
    public static async Task<T> RunAsync<T>(IAnsiConsole console, Func<IProgress<(string Phase, double Fraction)>, Task<T>> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            var last = string.Empty;
            var plain = new CellSeg.Data.SyncProgress<(string Phase, double Fraction)>(r =>
            {
                lock (console)
                {
                    if (r.Phase != last)
                    {
                        last = r.Phase;
                        console.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {r.Phase}");
                    }
                }
            });
            return await work(plain).ConfigureAwait(false);
        }

        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                ProgressTask? current = null;
                var progress = new CellSeg.Data.SyncProgress<(string Phase, double Fraction)>(r =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(r.Phase, out var task))
                        {
                            current?.Value(100);
                            current?.StopTask();
                            task = tasks[r.Phase] = ctx.AddTask(r.Phase, maxValue: 100);
                        }

                        current = task;
                        task.Value(Math.Clamp(r.Fraction, 0, 1) * 100);
                    }
                });
                result = await work(progress).ConfigureAwait(false);
                lock (tasks)
                {
                    current?.Value(100);
                    current?.StopTask();
                }
            }).ConfigureAwait(false);
        return result;
    }
}
