namespace CellSeg.Bench.Infrastructure;

/// <summary>This process's memory as Linux reports it in /proc/self/status.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM): the most physical memory the process has held at once.</summary>
    public static long PeakBytes() => Read("VmHWM:");

    /// <summary>Current resident set size (VmRSS).</summary>
    public static long CurrentBytes() => Read("VmRSS:");

    private static long Read(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return -1;
        }

        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }
}
