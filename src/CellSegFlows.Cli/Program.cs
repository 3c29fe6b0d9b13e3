using CellSegFlows.Cli;
using Spectre.Console;

var console = AnsiConsole.Console;
if (Console.IsOutputRedirected)
{
    // Logs and pipes have no terminal width; keep tables on one line each instead of wrapping at 80.
    console.Profile.Width = 200;
}

// Errors go to standard error, so a pipeline reading a command's output never parses one as data.
var errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
if (Console.IsErrorRedirected)
{
    errors.Profile.Width = 1000;   // one error, one line
}
return await CliApp.RunAsync(args, console, errors).ConfigureAwait(false);
