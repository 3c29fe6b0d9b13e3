using CellSegFlows.Cli;
using Spectre.Console;

var console = AnsiConsole.Console;
if (Console.IsOutputRedirected)
{
    // Logs and pipes have no terminal width; keep tables on one line each instead of wrapping at 80.
    console.Profile.Width = 200;
}

return await CliApp.RunAsync(args, console).ConfigureAwait(false);
