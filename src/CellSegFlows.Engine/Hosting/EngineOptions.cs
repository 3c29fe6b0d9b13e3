using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Hosting;

/// <summary>
/// Where the engine keeps its state and which work this process takes. The embedded default — one
/// folder holding a SQLite run store, a SQLite Quartz store, the artifacts and the step work folders —
/// needs nothing installed; PostgreSQL for both stores lets several workers share runs.
/// </summary>
public sealed record EngineOptions
{
    /// <summary>The engine's folder (default <c>.cellsegflows</c> in the current folder, or <c>CELLSEGFLOWS_HOME</c>).</summary>
    public required string Home { get; init; }

    /// <summary>Run history; default SQLite <c>HOME/runs.db</c>.</summary>
    public RunStoreOptions? RunStore { get; init; }

    /// <summary>Quartz job store: null = SQLite <c>HOME/quartz.db</c> (one process only); a PostgreSQL connection string = clustered.</summary>
    public string? QuartzPostgres { get; init; }

    /// <summary>Artifact store root; default <c>HOME/artifacts</c> (several workers may share a folder).</summary>
    public string? ArtifactRoot { get; init; }

    /// <summary>Execution groups this process runs; default both.</summary>
    public IReadOnlyList<string> Queues { get; init; } = Definitions.QueueNames.All;

    /// <summary>Steps run at once on this process.</summary>
    public int Threads { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Steps on the gpu queue at once on this process; null (default): one per device of <see cref="GpuDevices"/>.
    /// More slots than devices lets activities that share a device (<c>SharesDevice</c>) run side by side.</summary>
    public int? GpuSlots { get; init; }

    /// <summary>
    /// The devices this worker leases to its gpu-queue steps, one step per device unless the activity shares (e.g.
    /// <c>cuda:0</c>, <c>cuda:1</c>; the command line's <c>--device cuda --gpus 2</c>); null (default): <see cref="Device"/> alone.
    /// </summary>
    public IReadOnlyList<string>? GpuDevices { get; init; }

    /// <summary>Name of this worker in the journal; default host name and process id.</summary>
    public string WorkerName { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Device given to gpu-queue steps on this worker: cpu, or cuda / cuda:N when it has a GPU (see <see cref="GpuDevices"/> for several).</summary>
    public string Device { get; init; } = Definitions.QueueNames.CpuDevice;

    /// <summary>How often a worker re-checks unfinished runs for steps without a job (zero turns it off).</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How large a definition and a map may be (checked before a run starts and when a map expands).</summary>
    public Definitions.WorkflowLimits Limits { get; init; } = Definitions.WorkflowLimits.Default;

    /// <summary>
    /// What steps run by this engine may reach on the host. Default: unrestricted (the CLI on a user's own machine);
    /// servers and workers pass restricted roots and origins (README, "Data roots").
    /// </summary>
    public Access.HostAccess HostAccess { get; init; } = Access.HostAccess.Unrestricted;

    /// <summary>Only schedule and query; run no steps and fire no triggers (a client process next to workers).</summary>
    public bool ClientOnly { get; init; }

    /// <summary>A triggers file (<c>{"schedules": [...], "watches": [...]}</c>) whose schedules and watches are added or updated at start.</summary>
    public string? TriggersFile { get; init; }

    /// <summary>
    /// How often a running engine brings Quartz's trigger jobs in step with the schedules and watches in the run
    /// store, which picks up triggers added or removed by other processes (the command line). Default 5 s.
    /// </summary>
    public TimeSpan TriggerSyncInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The default home: <c>CELLSEGFLOWS_HOME</c> or <c>./.cellsegflows</c>.</summary>
    public static string DefaultHome => Environment.GetEnvironmentVariable("CELLSEGFLOWS_HOME") is { Length: > 0 } home
        ? home
        : Path.Combine(Environment.CurrentDirectory, ".cellsegflows");

    internal RunStoreOptions ResolvedRunStore => RunStore ?? RunStoreOptions.Sqlite(Path.Combine(Home, "runs.db"));

    internal IReadOnlyList<string> ResolvedGpuDevices => GpuDevices is { Count: > 0 } devices ? devices : [Device];

    internal int ResolvedGpuSlots => GpuSlots is > 0 and var slots ? slots : ResolvedGpuDevices.Count;

    internal string ResolvedArtifactRoot => ArtifactRoot ?? Path.Combine(Home, "artifacts");

    internal string WorkRoot => Path.Combine(Home, "work");
}
