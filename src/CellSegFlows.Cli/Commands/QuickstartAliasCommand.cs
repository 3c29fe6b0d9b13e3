using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// <c>quickstart</c>, the old name of <c>baseline</c>: it ran only the classical baseline, while the quickstart workflow
/// also trains U-Nets, so the command took the name of what it does. Kept for one version, with a warning.
/// </summary>
internal sealed class QuickstartAliasCommand(IAnsiConsole console) : AsyncCommand<QuickstartCommand.Settings>
{
    public override Task<int> ExecuteAsync(CommandContext context, QuickstartCommand.Settings settings, CancellationToken cancellationToken)
    {
        console.MarkupLine("[yellow]warning[/]: 'quickstart' is now 'baseline' (the classical baseline alone; the quickstart workflow is `run workflows/quickstart.json`); the old name goes in the next version");
        return new QuickstartCommand(console).ExecuteAsync(context, settings, cancellationToken);
    }
}
