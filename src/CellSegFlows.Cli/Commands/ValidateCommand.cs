using System.ComponentModel;
using CellSegFlows.Activities;
using CellSegFlows.Engine.Definitions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary><c>cellsegflows validate FILE</c>: every problem of a workflow definition, each naming node and field.</summary>
internal sealed class ValidateCommand(IAnsiConsole console) : AsyncCommand<ValidateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("Workflow definition (JSON).")]
        public string File { get; init; } = string.Empty;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var path = EvalCommand.RequireFile(settings.File, "FILE");
        IReadOnlyList<DefinitionProblem> problems;
        WorkflowDefinition? definition = null;
        var catalog = ActivityCatalog.Create();
        try
        {
            var upgraded = DefinitionUpgrade.Apply(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), catalog);
            Problems.WriteWarnings(console, path, upgraded.Warnings);
            definition = WorkflowDefinitionReader.Parse(upgraded.Json, path);
            problems = WorkflowValidator.Validate(definition, catalog);
        }
        catch (WorkflowDefinitionException ex)
        {
            problems = ex.Problems;
        }

        if (problems.Count == 0)
        {
            console.MarkupLineInterpolated($"[green]valid[/]: {definition!.Id} v{definition.Version}, {definition.Nodes.Count} nodes, version hash {DefinitionHash.Compute(definition)[..12]}");
            return 0;
        }

        Problems.Write(console, path, problems);
        return CliApp.UserError;
    }
}

/// <summary>Prints definition problems as a table.</summary>
internal static class Problems
{
    public static void Write(IAnsiConsole console, string source, IReadOnlyList<DefinitionProblem> problems)
    {
        console.MarkupLineInterpolated($"[red]{source}: {problems.Count} problem(s)[/]");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("node", "field", "problem");
        foreach (var p in problems)
        {
            var field = p.Line is { } line ? $"{p.Field} (line {line}, column {p.Column})" : p.Field;
            table.AddRow(Markup.Escape(p.NodeId ?? "-"), Markup.Escape(field), Markup.Escape(p.Message));
        }

        console.Write(table);
    }

    /// <summary>Deprecated names that were upgraded: one yellow line each (the definition still runs).</summary>
    public static void WriteWarnings(IAnsiConsole console, string source, IReadOnlyList<DefinitionProblem> warnings)
    {
        foreach (var w in warnings)
        {
            console.MarkupLineInterpolated($"[yellow]warning[/]: {source}: {w}");
        }
    }
}
