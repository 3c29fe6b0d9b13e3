using System.ComponentModel;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Triggers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary><c>cellsegflows watch list</c>: the folder watches with the files they have started runs for.</summary>
internal sealed class WatchListCommand(IAnsiConsole console) : AsyncCommand<EngineSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, EngineSettings settings, CancellationToken cancellationToken)
    {
        var store = await settings.TriggerStoreAsync(create: false, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<FileWatchInfo> watches = store is null ? [] : await store.ListFileWatchesAsync(cancellationToken).ConfigureAwait(false);
        if (watches.Count == 0)
        {
            console.MarkupLineInterpolated($"no watches in {settings.StoreLabel}");
            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("watch", "folder", "glob", "workflow", "file parameter", "settle", "poll", "enabled", "files seen", "last firing");
        foreach (var w in watches)
        {
            var r = w.Watch;
            table.AddRow(
                Markup.Escape(r.Id), Markup.Escape(r.Folder), Markup.Escape(r.Glob), Markup.Escape($"{r.WorkflowId} ({DefinitionReference.Describe(r.WorkflowPath, r.WorkflowId, r.PinnedVersion)})"), Markup.Escape(r.ParameterName),
                DurationText.Format(r.Settle), DurationText.Format(r.PollInterval), r.Enabled ? "yes" : "no", w.FilesSeen.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(TriggerText.Firing(w.LastFiring)));
        }

        console.Write(table);
        TriggerText.Note(console);
        return 0;
    }
}

/// <summary><c>cellsegflows watch add --id ID --workflow FILE|--definition ID[@HASH] --folder DIR --param-name NAME</c>: add a folder watch, or update the one with that id.</summary>
internal sealed class WatchAddCommand(IAnsiConsole console) : AsyncCommand<WatchAddCommand.Settings>
{
    public sealed class Settings : EngineSettings
    {
        [CommandOption("--id <ID>")]
        [Description("Watch id (letters, digits, _ and -); an existing watch with this id is updated.")]
        public string? Id { get; init; }

        [CommandOption("--workflow <FILE>")]
        [Description("Workflow file, read again at each start (the version saved now runs if it is gone).")]
        public string? Workflow { get; init; }

        [CommandOption("--definition <ID[@HASH]>")]
        [Description("Instead of --workflow: a workflow definition stored in the run store: each start runs its latest version, or the version HASH.")]
        public string? Definition { get; init; }

        [CommandOption("--folder <DIR>")]
        [Description("The folder to watch (it must exist).")]
        public string? Folder { get; init; }

        [CommandOption("--glob <PATTERN>")]
        [Description("File-name pattern (default *.json); **/ in front looks in sub-folders too.")]
        [DefaultValue("*.json")]
        public string Glob { get; init; } = "*.json";

        [CommandOption("--param-name <NAME>")]
        [Description("The workflow parameter (string) that receives the file's absolute path.")]
        public string? ParamName { get; init; }

        [CommandOption("-p|--param <NAME=VALUE>")]
        [Description("Another workflow parameter of every run; repeat for several.")]
        public string[] Parameters { get; init; } = [];

        [CommandOption("--settle <DURATION>")]
        [Description("A file is taken once its size and modification time have not changed for this long (default 2s).")]
        [DefaultValue("2s")]
        public string Settle { get; init; } = "2s";

        [CommandOption("--poll <DURATION>")]
        [Description("How often the folder is scanned (default 2s).")]
        [DefaultValue("2s")]
        public string Poll { get; init; } = "2s";

        [CommandOption("--disabled")]
        [Description("Save the watch without scanning.")]
        public bool Disabled { get; init; }

        public override ValidationResult Validate() =>
            Id is null ? ValidationResult.Error("--id is required")
            : Workflow is null && Definition is null ? ValidationResult.Error("--workflow FILE or --definition ID[@HASH] is required")
            : Workflow is not null && Definition is not null ? ValidationResult.Error("give --workflow or --definition, not both")
            : Folder is null ? ValidationResult.Error("--folder is required")
            : ParamName is null ? ValidationResult.Error("--param-name is required")
            : !DurationText.TryParse(Settle, out _) ? ValidationResult.Error($"--settle: '{Settle}' is not a duration: {DurationText.Forms}")
            : !DurationText.TryParse(Poll, out _) ? ValidationResult.Error($"--poll: '{Poll}' is not a duration: {DurationText.Forms}")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        DurationText.TryParse(settings.Settle, out var settle);
        DurationText.TryParse(settings.Poll, out var poll);
        var (definition, pinned) = settings.Definition is { } d ? DefinitionReference.Parse(d) : (null, null);
        var spec = new FileWatchSpec(settings.Id!, settings.Workflow, settings.Folder!, settings.ParamName!)
        {
            Definition = definition,
            PinnedVersion = pinned,
            Glob = settings.Glob,
            Parameters = RunCommand.ParseParameters(settings.Parameters),
            Settle = settle,
            PollInterval = poll,
            Enabled = !settings.Disabled,
        };
        var store = (await settings.TriggerStoreAsync(create: true, cancellationToken).ConfigureAwait(false))!;
        SavedTrigger<FileWatchRecord> saved;
        try
        {
            saved = await store.AddFileWatchAsync(spec, $"cli:{Environment.UserName}", cancellationToken).ConfigureAwait(false);
        }
        catch (TriggerDefinitionException ex) when (ex.Problems.Count > 0)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {ex.Trigger}: {ex.Field}: {ex.Reason}");
            Problems.Write(console, spec.Workflow ?? settings.Definition!, ex.Problems);
            return CliApp.UserError;
        }

        var r = saved.Record;
        console.MarkupLineInterpolated($"watch [bold]{r.Id}[/] {(saved.Created ? "added" : "updated")}: {r.Folder}/{r.Glob} → workflow {r.WorkflowId} ({DefinitionReference.Describe(r.WorkflowPath, r.WorkflowId, r.PinnedVersion)}) with the file's path as '{r.ParameterName}'; settle {DurationText.Format(r.Settle)}, poll {DurationText.Format(r.PollInterval)}{(r.Enabled ? string.Empty : ", disabled")}");
        console.MarkupLine("each new or changed file starts one run; files already in the folder count as new the first time.");
        TriggerText.Note(console);
        return 0;
    }
}

/// <summary><c>cellsegflows watch remove ID</c>: remove a watch and forget the files it has seen.</summary>
internal sealed class WatchRemoveCommand(IAnsiConsole console) : AsyncCommand<TriggerIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, TriggerIdSettings settings, CancellationToken cancellationToken)
    {
        var store = await settings.TriggerStoreAsync(create: false, cancellationToken).ConfigureAwait(false);
        if (store is null || !await store.RemoveFileWatchAsync(settings.Id, $"cli:{Environment.UserName}", cancellationToken).ConfigureAwait(false))
        {
            throw new UserInputException($"no watch '{settings.Id}' in {settings.StoreLabel}");
        }

        console.MarkupLineInterpolated($"watch [bold]{settings.Id}[/] removed with the files it had seen; a running engine stops scanning within seconds");
        return 0;
    }
}
