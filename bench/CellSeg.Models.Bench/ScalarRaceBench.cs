using System.Diagnostics;
using System.Globalization;

namespace CellSeg.Models.Bench;

/// <summary>
/// How fast TorchSharp's implicit scalars break under GC pressure, and how many calls held scalars survive: RUNS child
/// processes of the implicit loop (each until it fails or SECONDS pass), then one held run of SECONDS.
/// </summary>
internal static class ScalarRaceBench
{
    public static int Run(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        Console.WriteLine($"# scalar race, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {runs} implicit runs of up to {seconds} s, then one held run of {seconds} s");
        var failures = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var (exit, elapsed, line) = Child("implicit", seconds);
            Console.WriteLine($"implicit run {run + 1}: exit {exit} after {elapsed:F2} s: {line}");
            if (exit != 0)
            {
                failures.Add(elapsed);
            }
        }

        var (heldExit, heldElapsed, heldLine) = Child("held", seconds);
        Console.WriteLine($"held: exit {heldExit} after {heldElapsed:F2} s: {heldLine}");
        failures.Sort();
        var median = failures.Count == 0 ? double.NaN : failures[failures.Count / 2];
        Console.WriteLine($"| implicit runs failed | median time to failure (s, process start included) | held run |");
        Console.WriteLine($"|---|---|---|");
        Console.WriteLine($"| {failures.Count} of {runs} | {median:F2} (range {(failures.Count == 0 ? "–" : $"{failures[0]:F2}–{failures[^1]:F2}")}) | exit {heldExit}: {heldLine} |");
        return 0;
    }

    private static (int Exit, double Seconds, string Line) Child(string mode, int seconds)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(ScalarRaceBench).Assembly.Location);
        start.ArgumentList.Add("scalar-race-child");
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add(seconds.ToString(CultureInfo.InvariantCulture));
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var output = (stdout.Result + stderr.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = output.FirstOrDefault(l => l.StartsWith(mode + ":", StringComparison.Ordinal))
            ?? output.FirstOrDefault(l => l.Contains("Exception", StringComparison.Ordinal)) ?? "(no output)";
        return (process.ExitCode, clock.Elapsed.TotalSeconds, line.Length > 160 ? line[..160] : line);
    }
}
