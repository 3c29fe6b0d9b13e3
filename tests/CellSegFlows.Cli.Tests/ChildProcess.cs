using System.Diagnostics;

namespace CellSegFlows.Cli.Tests;

/// <summary>Runs a child process to its end and returns its exit code with stdout and stderr together.</summary>
internal static class ChildProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo start, TimeSpan limit)
    {
        var (exit, stdout, stderr) = await RunSplitAsync(start, limit);
        return (exit, stdout + stderr);
    }

    /// <summary>As <see cref="RunAsync"/>, with standard output and standard error apart.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunSplitAsync(ProcessStartInfo start, TimeSpan limit)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(limit);
        return (process.ExitCode, await stdout, await stderr);
    }
}
