namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// The queues a step may run on, named once: the node field <c>queue</c>, an activity's default, the queues a
/// worker serves (Quartz execution groups inside the engine) and the device a step is given all use these words.
/// </summary>
public static class QueueNames
{
    /// <summary>The CPU queue: the default of every activity and node.</summary>
    public const string Cpu = "cpu";

    /// <summary>The GPU queue: its steps lease one of the worker's devices (<see cref="Hosting.EngineOptions.GpuDevices"/>), one step per device unless the activity shares.</summary>
    public const string Gpu = "gpu";

    /// <summary>No queue: a process that serves it runs no steps (an API next to other workers, a client).</summary>
    public const string None = "none";

    /// <summary>The device a cpu-queue step runs on, and a worker's device unless it is given a GPU.</summary>
    public const string CpuDevice = "cpu";

    /// <summary><see cref="All"/> as a comma-separated list, as the command line's <c>--queues</c> takes it.</summary>
    public const string AllList = Cpu + "," + Gpu;

    /// <summary>Every queue, in the order help texts and defaults list them.</summary>
    public static IReadOnlyList<string> All { get; } = [Cpu, Gpu];

    /// <summary>Whether <paramref name="queue"/> is one of <see cref="All"/>.</summary>
    public static bool IsKnown(string? queue) => queue is Cpu or Gpu;

    /// <summary>A comma-separated list of queues (<c>cpu,gpu</c>) as its names, blanks dropped.</summary>
    public static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
