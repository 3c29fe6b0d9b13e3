using Spectre.Console;
using Spectre.Console.Testing;

namespace CellSegFlows.Cli.Tests;

/// <summary>Runs the command line in-process with a wide, non-interactive test console and returns what it printed.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(240);
        console.Profile.Capabilities.Interactive = false;
        var code = await CliApp.RunAsync(args, console);
        return (code, console.Output);
    }
}
