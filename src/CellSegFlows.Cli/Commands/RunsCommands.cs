using System.ComponentModel;
using System.Globalization;
using CellSegFlows.Activities;
using CellSegFlows.Cli.Rendering;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary><c>cellsegflows runs list</c>: recent runs.</summary>
internal sealed class RunsListCommand(IAnsiConsole console) : AsyncCommand<RunsListCommand.Settings>
{
    public sealed class Settings : EngineSettings
    {
        [CommandOption("--workflow <ID>")]
        [Description("Only runs of this workflow.")]
        public string? Workflow { get; init; }

        [CommandOption("--status <STATUS>")]
        [Description("Only runs in this status: Running, Succeeded, Failed, Cancelled.")]
        public string? Status { get; init; }

        [CommandOption("--limit <N>")]
        [Description("At most N runs (default 50).")]
        [DefaultValue(50)]
        public int Limit { get; init; } = 50;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        RunStatus? status = null;
        if (settings.Status is { } text)
        {
            status = Enum.TryParse<RunStatus>(text, ignoreCase: true, out var s) ? s : throw new UserInputException($"--status must be one of {string.Join(", ", Enum.GetNames<RunStatus>())}, not '{text}'");
        }

        var runs = await (await settings.QueriesAsync(cancellationToken).ConfigureAwait(false)).ListAsync(settings.Workflow, status, settings.Limit, cancellationToken).ConfigureAwait(false);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("run", "workflow", "version", "status", "trigger", "started by", "created", "duration");
        foreach (var r in runs)
        {
            table.AddRow(r.Id, Markup.Escape(r.WorkflowId), r.DefinitionHash[..12], r.Status.ToString(), Markup.Escape(r.Trigger), Markup.Escape(r.StartedBy ?? string.Empty), r.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), RunView.Duration(r.CreatedAt, r.FinishedAt));
        }

        console.Write(table);
        return 0;
    }
}

/// <summary>Settings of the commands that take one run id.</summary>
public sealed class RunIdSettings : EngineSettings
{
    [CommandArgument(0, "<RUN_ID>")]
    [Description("The run.")]
    public string RunId { get; init; } = string.Empty;
}

/// <summary><c>cellsegflows runs show RUN_ID</c>: the run, its steps and their journal.</summary>
internal sealed class RunsShowCommand(IAnsiConsole console) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellationToken)
    {
        var detail = await (await settings.QueriesAsync(cancellationToken).ConfigureAwait(false)).DetailAsync(settings.RunId, cancellationToken).ConfigureAwait(false);
        var run = detail.Run;
        console.MarkupLineInterpolated($"parameters: {run.ParametersJson}; trigger: {run.Trigger}{(run.TriggerDetail is null ? string.Empty : $" ({run.TriggerDetail})")}; started by {run.StartedBy}");
        RunView.Summary(console, detail);
        var journal = new Table().Border(TableBorder.Simple).Title("journal").AddColumns("time", "step", "attempt", "kind", "status", "worker", "message");
        foreach (var e in detail.Events)
        {
            journal.AddRow(
                e.Time.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
                Markup.Escape(e.StepId.Length > run.Id.Length ? e.StepId[(run.Id.Length + 1)..] : e.StepId),
                e.Attempt.ToString(CultureInfo.InvariantCulture),
                e.Kind,
                e.Status?.ToString() ?? string.Empty,
                Markup.Escape(e.Worker ?? string.Empty),
                Markup.Escape((e.Message ?? string.Empty).Split('\n')[0]));
        }

        console.Write(journal);
        if (detail.Artifacts.Count > 0)
        {
            var artifacts = new Table().Border(TableBorder.Simple).Title("artifacts").AddColumns("name", "sha256", "bytes", "step");
            foreach (var a in detail.Artifacts)
            {
                artifacts.AddRow(Markup.Escape(a.Name), a.Hash[..16], a.Size.ToString(CultureInfo.InvariantCulture), Markup.Escape(a.StepId[(run.Id.Length + 1)..]));
            }

            console.Write(artifacts);
        }

        if (detail.Metrics.Count > 0)
        {
            var metrics = new Table().Border(TableBorder.Simple).Title("metrics").AddColumns("step", "name", "value", "at");
            foreach (var m in detail.Metrics)
            {
                metrics.AddRow(Markup.Escape(m.StepId[(run.Id.Length + 1)..]), Markup.Escape(m.Name), m.Value.ToString("0.####", CultureInfo.InvariantCulture), m.Iteration?.ToString(CultureInfo.InvariantCulture) ?? string.Empty);
            }

            console.Write(metrics);
        }

        return 0;
    }
}

/// <summary><c>cellsegflows runs resume RUN_ID</c>: carry on an interrupted run in this process.</summary>
internal sealed class RunsResumeCommand(IAnsiConsole console) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await WorkflowEngine.StartAsync(settings.ToOptions(), ActivityCatalog.Create(), cancellationToken).ConfigureAwait(false);
        var snapshot = await engine.Runs.SnapshotAsync(settings.RunId, cancellationToken).ConfigureAwait(false);
        if (snapshot.Run.Status is not (RunStatus.Running or RunStatus.Pending))
        {
            console.MarkupLineInterpolated($"run {settings.RunId} is already {snapshot.Run.Status}; nothing to resume");
            RunView.Summary(console, await engine.Runs.DetailAsync(settings.RunId, cancellationToken).ConfigureAwait(false));
            return snapshot.Run.Status == RunStatus.Succeeded ? 0 : 1;
        }

        await engine.ReconcileAsync(settings.RunId, cancellationToken).ConfigureAwait(false);
        console.MarkupLineInterpolated($"resuming run [bold]{settings.RunId}[/]");
        return await RunCommand.FinishAsync(console, engine, settings.RunId, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>cellsegflows runs cancel RUN_ID</c>: ask a run to stop (its workers see it within a second).</summary>
internal sealed class RunsCancelCommand(IAnsiConsole console) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellationToken)
    {
        await using var engine = await WorkflowEngine.StartAsync(settings.ToOptions(clientOnly: true), ActivityCatalog.Create(), cancellationToken).ConfigureAwait(false);
        var cancelled = await engine.CancelRunAsync(settings.RunId, CliUser.Name, cancellationToken).ConfigureAwait(false);
        if (cancelled)
        {
            await engine.Store.AuditAsync(CliUser.Name, "run.cancel", settings.RunId, "from the command line", cancellationToken).ConfigureAwait(false);
        }

        console.MarkupLine(cancelled ? $"cancel requested for run {settings.RunId}" : $"run {settings.RunId} is not running");
        return cancelled ? 0 : 1;
    }
}
