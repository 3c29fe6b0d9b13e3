using System.ComponentModel;
using CellSegFlows.Activities;
using CellSegFlows.Cli.Rendering;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary><c>cellsegflows run FILE [--param k=v]…</c>: run a workflow on the embedded engine and wait for it.</summary>
internal sealed class RunCommand(IAnsiConsole console) : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : EngineSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("Workflow definition (JSON), e.g. workflows/quickstart.json.")]
        public string File { get; init; } = string.Empty;

        [CommandOption("-p|--param <NAME=VALUE>")]
        [Description("A workflow parameter; repeat for several. Lists as JSON ([[1,2]]) or comma-separated.")]
        public string[] Parameters { get; init; } = [];

        [CommandOption("--detach")]
        [Description("Start the run and return its id without waiting (a worker must be running).")]
        public bool Detach { get; init; }

        [CommandOption("--triggers <FILE>")]
        [Description("A triggers file whose schedules and watches are added or updated (by id) before the run; they fire while this command runs, and later in any worker.")]
        public string? Triggers { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var path = EvalCommand.RequireFile(settings.File, "FILE");
        var parameters = ParseParameters(settings.Parameters);
        await using var engine = await WorkflowEngine.StartAsync(settings.WithDevices(settings.ToOptions(clientOnly: settings.Detach, triggersFile: settings.Triggers)), ActivityCatalog.Create(), cancellationToken).ConfigureAwait(false);
        string runId;
        try
        {
            var upgraded = Engine.Definitions.DefinitionUpgrade.Apply(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), engine.Registry);
            Problems.WriteWarnings(console, path, upgraded.Warnings);
            try
            {
                Problems.WriteWarnings(console, path, WorkflowValidator.Bind(WorkflowDefinitionReader.Parse(upgraded.Json, path), parameters).Warnings);
            }
            catch (WorkflowDefinitionException)
            {
                // Reported with every other problem when the run is started just below.
            }
            runId = await engine.StartRunAsync(upgraded.Json, path, parameters, startedBy: CliUser.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            await engine.Store.AuditAsync(CliUser.Name, "run.start", runId, $"{path} from the command line", cancellationToken).ConfigureAwait(false);
        }
        catch (WorkflowDefinitionException ex)
        {
            Problems.Write(console, path, ex.Problems);
            return CliApp.UserError;
        }

        console.MarkupLineInterpolated($"run [bold]{runId}[/] started (engine home {engine.Options.Home})");
        if (settings.Detach)
        {
            return 0;
        }

        return await FinishAsync(console, engine, runId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Follows a run to its end, prints the summary, and returns 0 only if it succeeded.</summary>
    internal static async Task<int> FinishAsync(IAnsiConsole console, WorkflowEngine engine, string runId, CancellationToken cancellationToken)
    {
        var final = await RunView.FollowAsync(console, engine, runId, cancellationToken).ConfigureAwait(false);
        RunView.Summary(console, await engine.Runs.DetailAsync(runId, cancellationToken).ConfigureAwait(false));
        return final.Status == RunStatus.Succeeded ? 0 : 1;
    }

    internal static Dictionary<string, string> ParseParameters(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var cut = pair.IndexOf('=', StringComparison.Ordinal);
            if (cut <= 0)
            {
                throw new UserInputException($"--param expects NAME=VALUE, not '{pair}'");
            }

            result[pair[..cut]] = pair[(cut + 1)..];
        }

        return result;
    }
}
