using System.ComponentModel;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Triggers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary><c>cellsegflows schedule list</c>: the cron schedules with their next and latest firing.</summary>
internal sealed class ScheduleListCommand(IAnsiConsole console) : AsyncCommand<EngineSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, EngineSettings settings, CancellationToken cancellationToken)
    {
        var store = await settings.TriggerStoreAsync(create: false, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<ScheduleInfo> schedules = store is null ? [] : await store.ListSchedulesAsync(cancellationToken).ConfigureAwait(false);
        if (schedules.Count == 0)
        {
            console.MarkupLineInterpolated($"no schedules in {settings.StoreLabel}");
            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("schedule", "workflow", "cron", "next (by cron)", "misfire", "overlap", "enabled", "last firing");
        foreach (var s in schedules)
        {
            var r = s.Schedule;
            table.AddRow(
                Markup.Escape(r.Id), Markup.Escape($"{r.WorkflowId} ({DefinitionReference.Describe(r.WorkflowPath, r.WorkflowId, r.PinnedVersion)})"), Markup.Escape(r.Cron), TriggerText.Time(s.NextFireTime), MisfireText.Write(r.Misfire),
                r.AllowOverlap ? "allowed" : "skip", r.Enabled ? "yes" : "no", Markup.Escape(TriggerText.Firing(s.LastFiring)));
        }

        console.Write(table);
        TriggerText.Note(console);
        return 0;
    }
}

/// <summary><c>cellsegflows schedule add --id ID --workflow FILE|--definition ID[@HASH] --cron EXPR</c>: add a schedule, or update the one with that id.</summary>
internal sealed class ScheduleAddCommand(IAnsiConsole console) : AsyncCommand<ScheduleAddCommand.Settings>
{
    public sealed class Settings : EngineSettings
    {
        [CommandOption("--id <ID>")]
        [Description("Schedule id (letters, digits, _ and -); an existing schedule with this id is updated.")]
        public string? Id { get; init; }

        [CommandOption("--workflow <FILE>")]
        [Description("Workflow file. Each firing reads it again; if it is gone, the version saved now runs.")]
        public string? Workflow { get; init; }

        [CommandOption("--definition <ID[@HASH]>")]
        [Description("Instead of --workflow: a workflow definition stored in the run store (the studio's, or serve's imports): each firing runs its latest version, or the version HASH.")]
        public string? Definition { get; init; }

        [CommandOption("--cron <EXPR>")]
        [Description("Quartz cron expression with seconds, local time: \"0 0 3 * * ?\" is 03:00 every day, \"0 0/15 * * * ?\" every 15 minutes.")]
        public string? Cron { get; init; }

        [CommandOption("-p|--param <NAME=VALUE>")]
        [Description("A workflow parameter of every run; repeat for several.")]
        public string[] Parameters { get; init; } = [];

        [CommandOption("--misfire <POLICY>")]
        [Description("A firing missed while no engine ran: skip (default) or fire-once (one run as soon as an engine is back).")]
        [DefaultValue("skip")]
        public string Misfire { get; init; } = "skip";

        [CommandOption("--allow-overlap")]
        [Description("Start a run even while the previous run of this schedule still runs (default: that firing is skipped and recorded).")]
        public bool AllowOverlap { get; init; }

        [CommandOption("--disabled")]
        [Description("Save the schedule without letting it fire.")]
        public bool Disabled { get; init; }

        public override ValidationResult Validate() =>
            Id is null ? ValidationResult.Error("--id is required")
            : Workflow is null && Definition is null ? ValidationResult.Error("--workflow FILE or --definition ID[@HASH] is required")
            : Workflow is not null && Definition is not null ? ValidationResult.Error("give --workflow or --definition, not both")
            : Cron is null ? ValidationResult.Error("--cron is required")
            : !MisfireText.TryRead(Misfire, out _) ? ValidationResult.Error($"--misfire must be {MisfireText.Forms}, not '{Misfire}'")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (definition, pinned) = settings.Definition is { } d ? DefinitionReference.Parse(d) : (null, null);
        var spec = new ScheduleSpec(settings.Id!, settings.Workflow, settings.Cron!)
        {
            Definition = definition,
            PinnedVersion = pinned,
            Parameters = RunCommand.ParseParameters(settings.Parameters),
            Misfire = MisfireText.Read(settings.Misfire),
            AllowOverlap = settings.AllowOverlap,
            Enabled = !settings.Disabled,
        };
        var store = (await settings.TriggerStoreAsync(create: true, cancellationToken).ConfigureAwait(false))!;
        SavedTrigger<ScheduleRecord> saved;
        try
        {
            saved = await store.AddScheduleAsync(spec, $"cli:{Environment.UserName}", cancellationToken).ConfigureAwait(false);
        }
        catch (TriggerDefinitionException ex) when (ex.Problems.Count > 0)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {ex.Trigger}: {ex.Field}: {ex.Reason}");
            Problems.Write(console, spec.Workflow ?? settings.Definition!, ex.Problems);
            return CliApp.UserError;
        }

        var r = saved.Record;
        console.MarkupLineInterpolated($"schedule [bold]{r.Id}[/] {(saved.Created ? "added" : "updated")}: workflow {r.WorkflowId} ({DefinitionReference.Describe(r.WorkflowPath, r.WorkflowId, r.PinnedVersion)}), cron \"{r.Cron}\", misfire {MisfireText.Write(r.Misfire)}, overlap {(r.AllowOverlap ? "allowed" : "skipped")}{(r.Enabled ? string.Empty : ", disabled")}");
        if (r.Enabled)
        {
            console.MarkupLineInterpolated($"next firing (by cron): {TriggerText.Time(TriggerStore.NextByCron(r.Cron))}");
        }

        TriggerText.Note(console);
        return 0;
    }
}

/// <summary>Settings of the commands that take one trigger id.</summary>
public sealed class TriggerIdSettings : EngineSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The schedule or watch id.")]
    public string Id { get; init; } = string.Empty;
}

/// <summary><c>cellsegflows schedule remove ID</c>: remove a schedule (its past firings stay in the history).</summary>
internal sealed class ScheduleRemoveCommand(IAnsiConsole console) : AsyncCommand<TriggerIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, TriggerIdSettings settings, CancellationToken cancellationToken)
    {
        var store = await settings.TriggerStoreAsync(create: false, cancellationToken).ConfigureAwait(false);
        if (store is null || !await store.RemoveScheduleAsync(settings.Id, $"cli:{Environment.UserName}", cancellationToken).ConfigureAwait(false))
        {
            throw new UserInputException($"no schedule '{settings.Id}' in {settings.StoreLabel}");
        }

        console.MarkupLineInterpolated($"schedule [bold]{settings.Id}[/] removed; a running engine drops its job within seconds and starts no run for it from now on");
        return 0;
    }
}
