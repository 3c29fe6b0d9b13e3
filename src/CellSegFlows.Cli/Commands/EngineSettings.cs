using System.ComponentModel;
using CellSegFlows.Activities;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Triggers;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>Where the run store is: the options of every command that reads or writes it (engine commands, models, segment).</summary>
public class StoreSettings : CommandSettings
{
    [CommandOption("--home <DIR>")]
    [Description("Engine folder: run store, Quartz store, artifacts, step work folders (default: CELLSEGFLOWS_HOME or ./.cellsegflows).")]
    public string? Home { get; init; }

    [CommandOption("--store <CONN>")]
    [Description("Run history: a SQLite file path, or a PostgreSQL connection string (Host=…) shared by several workers.")]
    public string? Store { get; init; }

    [CommandOption("--store-file <FILE>")]
    [Description("Read --store from this file (or set CELLSEGFLOWS_STORE), so a PostgreSQL password is not on the command line.")]
    public string? StoreFile { get; init; }

    /// <summary>The run store connection: --store, else --store-file's contents, else CELLSEGFLOWS_STORE, else none (SQLite in the home).</summary>
    internal string? ResolvedStore => Secret(Store, "--store", StoreFile, "--store-file", "CELLSEGFLOWS_STORE");

    /// <summary>The home folder: --home, else CELLSEGFLOWS_HOME, else ./.cellsegflows.</summary>
    internal string HomeFolder => Home ?? EngineOptions.DefaultHome;

    [CommandOption("--artifacts <DIR>")]
    [Description("Artifact store folder (default: CELLSEGFLOWS_ARTIFACTS, else HOME/artifacts); several workers may share one (README, 'Shared artifact folder').")]
    public string? Artifacts { get; init; }

    /// <summary>The artifact store folder: --artifacts, else CELLSEGFLOWS_ARTIFACTS, else HOME/artifacts.</summary>
    internal string ArtifactFolder => Artifacts
        ?? (Environment.GetEnvironmentVariable("CELLSEGFLOWS_ARTIFACTS") is { Length: > 0 } fromEnvironment ? fromEnvironment : Path.Combine(HomeFolder, "artifacts"));

    /// <summary>
    /// The run store, migrated, after checking it exists when it is the home's SQLite file (a mistyped --home must not
    /// create an empty store); null when it does not and <paramref name="create"/> is false.
    /// </summary>
    internal async Task<RunStoreOptions?> OpenStoreAsync(bool create, CancellationToken cancellationToken)
    {
        if (File.Exists(HomeFolder))
        {
            throw new UserInputException($"--home {HomeFolder}: is a file, not a folder");
        }

        var store = ResolvedStore is { } text ? RunStoreOptions.Parse(text) : null;
        if (store is null)
        {
            var file = Path.Combine(HomeFolder, "runs.db");
            if (!create && !File.Exists(file))
            {
                return null;
            }

            Directory.CreateDirectory(HomeFolder);
            store = RunStoreOptions.Sqlite(file);
        }

        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    // A connection string holds a password: process lists show arguments to every user of the machine, so the file or
    // the environment (visible only to the process's owner) is the place for it.
    private protected static string? Secret(string? value, string option, string? file, string fileOption, string variable)
    {
        if (value is not null && file is not null)
        {
            throw new UserInputException($"{option} and {fileOption} both given: use one");
        }

        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new UserInputException($"{fileOption} {file}: no such file");
            }

            var text = File.ReadAllText(file).Trim();
            return text.Length > 0 ? text : throw new UserInputException($"{fileOption} {file}: the file is empty");
        }

        return value ?? (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : null);
    }
}

/// <summary>Options every engine command shares: where the engine's state is.</summary>
public class EngineSettings : StoreSettings
{
    [CommandOption("--quartz-pg <CONN>")]
    [Description("Clustered Quartz job store on PostgreSQL (several workers); default: SQLite in the home folder, one process.")]
    public string? QuartzPostgres { get; init; }

    [CommandOption("--quartz-pg-file <FILE>")]
    [Description("Read --quartz-pg from this file (or set CELLSEGFLOWS_QUARTZ_PG).")]
    public string? QuartzPostgresFile { get; init; }

    /// <summary>The clustered Quartz connection: --quartz-pg, else --quartz-pg-file's contents, else CELLSEGFLOWS_QUARTZ_PG.</summary>
    internal string? ResolvedQuartzPostgres => Secret(QuartzPostgres, "--quartz-pg", QuartzPostgresFile, "--quartz-pg-file", "CELLSEGFLOWS_QUARTZ_PG");

    [CommandOption("--device <DEVICE>")]
    [Description("Device of the gpu queue's steps: cpu (default), cuda, cuda:N, or auto (CUDA when TorchSharp sees it); cpu-queue steps always run on the CPU.")]
    public string? Device { get; init; }

    /// <summary>The device the gpu queue's steps get, checked now (an unavailable CUDA device is an error before anything runs).</summary>
    internal string ResolveDevice()
    {
        if (Device is null or QueueNames.CpuDevice)
        {
            return QueueNames.CpuDevice;
        }

        try
        {
            return CellSeg.Models.TorchDevices.Resolve(Device).ToString();
        }
        catch (ArgumentException ex)
        {
            throw new UserInputException("--device: " + ex.Message);
        }
    }

    [CommandOption("--gpus <N>")]
    [Description("GPU slots of the gpu queue: with --device cuda, lease cuda:0 … cuda:N-1 to its steps, one step per GPU unless the activity shares (with --device cpu: N gpu-queue steps at once on the CPU).")]
    public int? Gpus { get; init; }

    /// <summary>The engine's options with the gpu queue's device (and, for --gpus, its device list).</summary>
    internal EngineOptions WithDevices(EngineOptions options)
    {
        var device = ResolveDevice();
        return options with { Device = device, GpuDevices = GpuDeviceList.Resolve(device, Gpus, () => CellSeg.Models.Runtime.TorchMachineReport.Collect().CudaDevices) };
    }

    [CommandOption("--max-nodes <N>")]
    [Description("Refuse definitions with more nodes (default 500).")]
    public int? MaxNodes { get; init; }

    [CommandOption("--max-map-elements <N>")]
    [Description("Fail a mapped node over more elements (default 10000).")]
    public int? MaxMapElements { get; init; }

    [CommandOption("--data-root <DIR>")]
    [Description("A host folder workflows may read and write (repeatable; DIR:ro for read only). serve and worker allow only these, the engine's data folder (HOME/data) and the shared download cache; see README, 'Data roots'.")]
    public string[]? DataRoots { get; init; }

    [CommandOption("--allow-origin <URL>")]
    [Description("An origin (scheme://host:port) downloads may come from besides LIVECell's bucket (repeatable; may be on loopback or a private network).")]
    public string[]? AllowOrigins { get; init; }

    // restrict: true checks paths and sources (serve, worker); null does so only with a shared (PostgreSQL) store, or
    // when roots or origins are given (a `run` on a user's own machine keeps paths as given).
    internal EngineOptions ToOptions(bool clientOnly = false, IReadOnlyList<string>? queues = null, string? workerName = null, string? triggersFile = null, bool? restrict = null)
    {
        // Checked first: every engine command creates its stores inside this folder.
        if (File.Exists(Home ?? EngineOptions.DefaultHome))
        {
            throw new UserInputException($"--home {Home ?? EngineOptions.DefaultHome}: is a file, not a folder");
        }

        // Resolved once: it may be read from a file.
        var runStore = ResolvedStore is { } store ? RunStoreOptions.Parse(store) : null;
        return new EngineOptions
        {
            TriggersFile = triggersFile,
            Limits = new Engine.Definitions.WorkflowLimits
            {
                MaxNodes = MaxNodes is { } nodes ? (nodes > 0 ? nodes : throw new UserInputException("--max-nodes must be at least 1")) : Engine.Definitions.WorkflowLimits.Default.MaxNodes,
                MaxMapElements = MaxMapElements is { } map ? (map > 0 ? map : throw new UserInputException("--max-map-elements must be at least 1")) : Engine.Definitions.WorkflowLimits.Default.MaxMapElements,
            },
            HostAccess = (restrict ?? (runStore is { IsPostgres: true } || DataRoots is { Length: > 0 } || AllowOrigins is { Length: > 0 }))
                ? ServerHostAccess.Create(Home ?? EngineOptions.DefaultHome, ParseRoots(), ParseOrigins())
                : Engine.Access.HostAccess.Unrestricted,
            Home = Home ?? EngineOptions.DefaultHome,
            ArtifactRoot = ArtifactFolder,
            RunStore = runStore,
            QuartzPostgres = ResolvedQuartzPostgres,
            ClientOnly = clientOnly,
            Queues = queues ?? QueueNames.All,
            WorkerName = workerName ?? $"{Environment.MachineName}:{Environment.ProcessId}",
        };
    }

    /// <summary>The run history, after checking it exists (a mistyped --home must not create an empty store).</summary>
    internal async Task<RunQueries> QueriesAsync(CancellationToken cancellationToken)
    {
        var options = ToOptions();
        if (options.RunStore is { } store)
        {
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return new RunQueries(store);
        }

        var file = Path.Combine(options.Home, "runs.db");
        if (!File.Exists(file))
        {
            throw new UserInputException($"no run history at {file} (run a workflow first, or pass --home / --store)");
        }

        return new RunQueries(RunStoreOptions.Sqlite(file));
    }

    /// <summary>
    /// The schedules and watches of the run store, without starting an engine: the command line only writes
    /// records, and a running engine gives them their Quartz jobs. Null when there is no store yet and
    /// <paramref name="create"/> is false (listing or removing must not create an empty store).
    /// </summary>
    internal async Task<TriggerStore?> TriggerStoreAsync(bool create, CancellationToken cancellationToken) =>
        await RunStoreAsync(create, cancellationToken).ConfigureAwait(false) is { } store ? new TriggerStore(store, ActivityCatalog.Create()) : null;

    /// <summary>The run store (migrated), without starting an engine; null when there is none yet and <paramref name="create"/> is false.</summary>
    internal async Task<RunStoreOptions?> RunStoreAsync(bool create, CancellationToken cancellationToken)
    {
        var options = ToOptions();
        var store = options.RunStore;
        if (store is null)
        {
            var file = Path.Combine(options.Home, "runs.db");
            if (!create && !File.Exists(file))
            {
                return null;
            }

            store = RunStoreOptions.Sqlite(file);
        }

        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    private IEnumerable<Engine.Access.DataRoot> ParseRoots()
    {
        foreach (var text in DataRoots ?? [])
        {
            var readOnly = text.EndsWith(":ro", StringComparison.Ordinal);
            var folder = readOnly ? text[..^3] : text;
            if (!Directory.Exists(folder))
            {
                throw new UserInputException($"--data-root {text}: no such folder");
            }

            yield return new Engine.Access.DataRoot(Path.GetFullPath(folder), !readOnly, "a data root (--data-root)");
        }
    }

    private IEnumerable<Uri> ParseOrigins()
    {
        foreach (var text in AllowOrigins ?? [])
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                throw new UserInputException($"--allow-origin {text}: not an origin (http(s)://host[:port], no path)");
            }

            yield return uri;
        }
    }

    /// <summary>Where the store is, for messages.</summary>
    internal string StoreLabel => ResolvedStore is null ? Path.Combine(Home ?? EngineOptions.DefaultHome, "runs.db") : "the run store given by --store, --store-file or CELLSEGFLOWS_STORE";
}
