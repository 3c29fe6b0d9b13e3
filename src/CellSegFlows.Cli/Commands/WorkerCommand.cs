using System.ComponentModel;
using CellSegFlows.Activities;
using CellSegFlows.Engine.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// <c>cellsegflows worker --queues gpu,cpu</c>: a worker process that runs steps of the queues it serves
/// until stopped (SIGTERM or Ctrl+C drains: no new steps, running ones finish or are handed back). With PostgreSQL stores, start several on several machines.
/// </summary>
internal sealed class WorkerCommand(IAnsiConsole console) : AsyncCommand<WorkerCommand.Settings>
{
    public sealed class Settings : WorkerSettings
    {
        [CommandOption("--drain <NAME>")]
        [Description("Start no worker: ask the running worker NAME (or every host:pid worker on host NAME) to drain and stop, through the run store; it does within 5 s.")]
        public string? Drain { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Drain is { } name)
        {
            var store = await settings.RunStoreAsync(create: false, cancellationToken).ConfigureAwait(false)
                ?? throw new UserInputException($"no run history at {settings.StoreLabel} (pass --home or --store)");
            var asked = await WorkerRegistry.RequestDrainAsync(store, name, cancellationToken).ConfigureAwait(false);
            if (asked.Count == 0)
            {
                throw new UserInputException($"--drain {name}: no running worker of that name or host in the run store (see the studio's workers, or `cellsegflows health --worker NAME`)");
            }

            foreach (var worker in asked)
            {
                console.MarkupLineInterpolated($"asked worker [bold]{worker}[/] to drain: it takes no new steps from its next check-in (within 5 s), finishes or hands back its running steps, and stops");
            }

            return 0;
        }

        var queues = settings.QueueList;
        if (settings.ResolvedQuartzPostgres is null)
        {
            console.MarkupLine("[yellow]note:[/] without --quartz-pg this worker uses the SQLite job store: run only one process per home folder.");
        }

        using var drain = new Drain();
        await using var engine = await WorkflowEngine.StartAsync(settings.ToWorkerOptions(), ActivityCatalog.Create(), cancellationToken).ConfigureAwait(false);
        var schedules = (await engine.Triggers.ListSchedulesAsync(cancellationToken).ConfigureAwait(false)).Count(s => s.Schedule.Enabled);
        var watches = (await engine.Triggers.ListFileWatchesAsync(cancellationToken).ConfigureAwait(false)).Count(w => w.Watch.Enabled);
        console.MarkupLineInterpolated($"worker [bold]{engine.Options.WorkerName}[/] serving {string.Join(", ", queues)}, firing {schedules} schedule(s) and {watches} watch(es); SIGTERM or Ctrl+C drains and stops");
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(drain.Requested, engine.DrainRequested, cancellationToken);
            await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await drain.RunAsync(engine, TimeSpan.FromSeconds(settings.DrainTimeout), console).ConfigureAwait(false);
        return 0;
    }
}
