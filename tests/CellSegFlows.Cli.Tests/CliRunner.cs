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

    /// <summary>As <see cref="RunAsync"/>, with standard error apart, as the real program has it.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunSplitAsync(params string[] args)
    {
        var console = new TestConsole().Width(240);
        console.Profile.Capabilities.Interactive = false;
        var errors = new TestConsole().Width(1000);
        var code = await CliApp.RunAsync(args, console, errors);
        return (code, console.Output, errors.Output);
    }
}
