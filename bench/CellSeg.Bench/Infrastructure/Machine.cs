namespace CellSeg.Bench.Infrastructure;

/// <summary>The machine line printed with every set of figures: CPU model, cores, memory, runtime.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var model = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
        }

        long memory = -1;
        if (File.Exists("/proc/meminfo"))
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null)
            {
                memory = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return $"{model}, {Environment.ProcessorCount} cores, {Units.MiB(memory) / 1024:F1} GiB RAM, .NET {Environment.Version}";
    }
}
