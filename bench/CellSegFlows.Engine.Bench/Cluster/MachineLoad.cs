using System.Globalization;

namespace CellSegFlows.Engine.Bench.Cluster;

/// <summary>Whole-machine CPU from <c>/proc/stat</c> (every process, the bench's neighbours included) and the load average.</summary>
internal readonly record struct MachineLoad(long BusyTicks, long TotalTicks)
{
    public static MachineLoad Read()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + fields[4];   // idle + iowait
        var total = fields.Take(8).Sum();   // user nice system idle iowait irq softirq steal
        return new MachineLoad(total - idle, total);
    }

    /// <summary>Cores busy on average between two readings.</summary>
    public static double BusyCores(MachineLoad before, MachineLoad after) =>
        Environment.ProcessorCount * (after.BusyTicks - before.BusyTicks) / (double)Math.Max(1, after.TotalTicks - before.TotalTicks);

    public static string Average() => File.ReadAllText("/proc/loadavg").Trim();
}

/// <summary>CPU time of processes read from <c>/proc</c>.</summary>
internal static class ProcessCpu
{
    /// <summary>
    /// Every <c>postgres</c> process's user + system time, with its reaped children's (the postmaster's children are the
    /// backends, so a backend that ended still counts). Another user of the same server counts too.
    /// </summary>
    public static TimeSpan Postgres()
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (stat[(open + 1)..close] != "postgres")
                {
                    continue;
                }

                var fields = stat[(close + 2)..].Split(' ');
                ticks += fields[11..15].Sum(f => long.Parse(f, CultureInfo.InvariantCulture));   // utime stime cutime cstime
            }
            catch (IOException)
            {
                // It ended meanwhile.
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0);   // USER_HZ
    }
}
