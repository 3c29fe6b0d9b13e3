using System.Diagnostics;
using System.Globalization;

namespace CellSeg.Bench.Infrastructure;

/// <summary>
/// How busy the rest of the machine is. The benchmarks share their machine with builds and tests of
/// other work, so each measurement waits for a quiet machine first and reports the CPU that other
/// processes used while it ran; a figure taken on a busy machine is marked instead of passed off.
/// </summary>
internal static class MachineLoad
{
    /// <summary>Other processes using more than this many cores during a run mark it as disturbed.</summary>
    public const double DisturbedCores = 0.25;

    private const double QuietCores = 0.15;
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux build .NET runs on

    /// <summary>The most cores other processes used during any of the runs, starred when that disturbed a run.</summary>
    public static string MostOtherCores<T>(IEnumerable<Measured<T>> runs)
    {
        var most = runs.Max(r => r.OtherCores);
        return most.ToString("F2", CultureInfo.InvariantCulture) + (most > DisturbedCores ? "*" : string.Empty);
    }

    /// <summary>CPU seconds the whole machine has been busy (user, system, interrupts, steal), or −1 off Linux.</summary>
    public static double BusySeconds()
    {
        const string stat = "/proc/stat";
        if (!File.Exists(stat))
        {
            return -1;
        }

        var fields = File.ReadLines(stat).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // cpu user nice system idle iowait irq softirq steal ...
        double Field(int i) => i < fields.Length ? double.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
        return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8)) / TicksPerSecond;
    }

    /// <summary>
    /// CPU seconds used by this process and by its children that have ended (utime, stime, cutime,
    /// cstime of /proc/self/stat), so a finished child's CPU is counted exactly; −1 off Linux.
    /// </summary>
    public static double SelfAndChildrenSeconds()
    {
        try
        {
            var text = File.ReadAllText("/proc/self/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');

            // After "pid (comm) ": state is field 0; utime, stime, cutime, cstime are fields 11 to 14.
            var ticks = 0.0;
            for (var i = 11; i <= 14; i++)
            {
                ticks += double.Parse(fields[i], CultureInfo.InvariantCulture);
            }

            return ticks / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    /// <summary>Waits (up to <paramref name="maxWait"/>) until other processes use less than 0.15 cores over one second.</summary>
    public static async Task WaitForQuietAsync(TimeSpan maxWait, CancellationToken ct)
    {
        if (BusySeconds() < 0)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        var told = false;
        while (true)
        {
            var busy0 = BusySeconds();
            var own0 = SelfAndChildrenSeconds();
            var window = Stopwatch.StartNew();
            await Task.Delay(1000, ct).ConfigureAwait(false);
            var others = (BusySeconds() - busy0 - (SelfAndChildrenSeconds() - own0)) / window.Elapsed.TotalSeconds;
            if (others < QuietCores)
            {
                if (told)
                {
                    Console.Error.WriteLine($"  machine quiet after {clock.Elapsed.TotalSeconds:F0} s");
                }

                return;
            }

            if (clock.Elapsed > maxWait)
            {
                Console.Error.WriteLine($"  machine still busy after {maxWait.TotalSeconds:F0} s (other processes use {others:F1} cores); measuring anyway, the run will be marked");
                return;
            }

            if (!told)
            {
                Console.Error.WriteLine($"  waiting for a quiet machine: other processes use {others:F1} cores ...");
                told = true;
            }
        }
    }
}
