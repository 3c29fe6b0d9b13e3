using CellSegFlows.Engine.Hosting;
using Spectre.Console;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// How <c>worker</c> and <c>serve</c> stop: the first SIGTERM or Ctrl+C starts a drain (no new steps; running ones
/// get <c>--drain-timeout</c> to finish, the rest are handed back to other workers); a second one hands back at once.
/// </summary>
internal sealed class Drain : IDisposable
{
    private readonly StopSignals _signals = new();

    /// <summary>Cancelled by the first stop signal.</summary>
    public CancellationToken Requested => _signals.Drain;

    /// <summary>Drains the engine and says what happened.</summary>
    public async Task RunAsync(WorkflowEngine engine, TimeSpan timeout, IAnsiConsole console)
    {
        console.MarkupLineInterpolated($"draining: taking no new steps; running steps get {timeout.TotalSeconds:0} s to finish (Ctrl+C again hands them back now)");
        var last = -1;
        var result = await engine.DrainAsync(timeout, new SyncProgress(n =>
        {
            if (n != last && n > 0)
            {
                console.MarkupLineInterpolated($"draining: {n} step(s) running");
            }

            last = n;
        }), _signals.HandBack).ConfigureAwait(false);
        if (result.HandedBack == 0)
        {
            console.MarkupLineInterpolated($"drained: {result.Finished} step(s) finished; stopped");
        }
        else
        {
            console.MarkupLineInterpolated($"drained: {result.Finished} step(s) finished, {result.HandedBack} handed back to other workers (their journal shows the interrupted attempt); stopped");
        }
    }

    public void Dispose() => _signals.Dispose();

    // Progress<T> posts to the thread pool, so reports could arrive after the drain printed its result.
    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
