using System.Diagnostics;
using System.Text.Json;

namespace CellSeg.Bench.Infrastructure;

/// <summary>
/// Runs one measurement in a process of its own (this program again, Python, or a C program) and
/// reads its figures from the line that starts with <c>RESULT </c>. Other output lines are passed
/// through indented; stderr (progress) goes straight to the terminal.
/// </summary>
internal static class ChildProcess
{
    private const string ResultPrefix = "RESULT ";

    /// <summary>Starts this benchmark program again with <paramref name="args"/>, optionally pinned to CPU 0.</summary>
    public static Task<Measured<T>> RunSelfAsync<T>(IReadOnlyList<string> args, bool singleCore, CancellationToken ct)
    {
        var self = Environment.ProcessPath ?? throw new BenchException("cannot find this program's path");
        var command = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Started as `dotnet CellSeg.Bench.dll`: start the dll the same way.
            command.Add(self);
            command.Add(typeof(ChildProcess).Assembly.Location);
        }
        else
        {
            command.Add(self);
        }

        command.AddRange(args);
        if (singleCore)
        {
            command.InsertRange(0, ["taskset", "-c", "0"]);
        }

        return RunAsync<T>(command[0], command.Skip(1).ToArray(), ct);
    }

    /// <summary>
    /// Runs a program on a quiet machine and returns the JSON of its RESULT line, with the cores that
    /// other processes used meanwhile.
    /// </summary>
    public static async Task<Measured<T>> RunAsync<T>(string fileName, IReadOnlyList<string> args, CancellationToken ct)
    {
        await MachineLoad.WaitForQuietAsync(TimeSpan.FromMinutes(3), ct).ConfigureAwait(false);
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var ours0 = MachineLoad.SelfAndChildrenSeconds();
        var busy0 = MachineLoad.BusySeconds();
        var wall = Stopwatch.StartNew();
        using var process = Start(start);
        await using var kill = ct.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        });
        string? result = null;
        while (await process.StandardOutput.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
                result = line[ResultPrefix.Length..];
            }
            else
            {
                Console.WriteLine("    " + line);
            }
        }

        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        var others = busy0 < 0 ? 0 : (MachineLoad.BusySeconds() - busy0 - (MachineLoad.SelfAndChildrenSeconds() - ours0)) / wall.Elapsed.TotalSeconds;
        if (process.ExitCode != 0 || result is null)
        {
            throw new BenchException($"{Path.GetFileName(fileName)} {string.Join(' ', args)} exited with {process.ExitCode}{(result is null ? " and printed no RESULT line" : string.Empty)}");
        }

        var figures = JsonSerializer.Deserialize<T>(result, Json.Options) ?? throw new BenchException($"{fileName} printed an empty RESULT");
        if (others > MachineLoad.DisturbedCores)
        {
            Console.Error.WriteLine($"  note: other processes used {others:F2} cores during this run");
        }

        return new Measured<T>(figures, Math.Max(0, others));
    }

    /// <summary>
    /// Runs a measurement up to <paramref name="attempts"/> times until other processes leave it
    /// undisturbed; returns the first clean run, or else the least disturbed one (still marked).
    /// </summary>
    public static async Task<Measured<T>> RunUndisturbedAsync<T>(Func<Task<Measured<T>>> run, int attempts = 3)
    {
        ArgumentNullException.ThrowIfNull(run);
        Measured<T>? best = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var measured = await run().ConfigureAwait(false);
            if (!measured.Disturbed)
            {
                return measured;
            }

            if (best is null || measured.OtherCores < best.OtherCores)
            {
                best = measured;
            }

            if (attempt < attempts)
            {
                Console.Error.WriteLine($"  disturbed run discarded; measuring again (attempt {attempt + 1} of {attempts})");
            }
        }

        return best!;
    }

    /// <summary>Runs a tool (a compiler) that prints no RESULT line; fails when it exits non-zero.</summary>
    public static async Task RunPlainAsync(string fileName, IReadOnlyList<string> args, CancellationToken ct)
    {
        var start = new ProcessStartInfo(fileName) { UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Start(start);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new BenchException($"{fileName} {string.Join(' ', args)} exited with {process.ExitCode}");
        }
    }

    private static Process Start(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new BenchException($"could not start {start.FileName}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BenchException($"could not start {start.FileName}: {ex.Message}");
        }
    }

    /// <summary>What a child prints as its last line.</summary>
    public static void PrintResult<T>(T value) => Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(value, Json.Options));
}

/// <summary>A child's figures and the cores other processes used while it ran (a disturbed run shows it).</summary>
internal sealed record Measured<T>(T Figures, double OtherCores)
{
    public bool Disturbed => OtherCores > MachineLoad.DisturbedCores;
}

/// <summary>JSON settings shared by the parent and the children: snake_case, like the Python anchor prints.</summary>
internal static class Json
{
    public static JsonSerializerOptions Options { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
