using System.ComponentModel;
using CellSegFlows.Activities;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Triggers;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>Options every engine command shares: where the engine's state is.</summary>
public class EngineSettings : CommandSettings
{
    [CommandOption("--home <DIR>")]
    [Description("Engine folder: run store, Quartz store, artifacts, step work folders (default: CELLSEGFLOWS_HOME or ./.cellsegflows).")]
    public string? Home { get; init; }

    [CommandOption("--store <CONN>")]
    [Description("Run history: a SQLite file path, or a PostgreSQL connection string (Host=…) shared by several workers.")]
    public string? Store { get; init; }

    [CommandOption("--quartz-pg <CONN>")]
    [Description("Clustered Quartz job store on PostgreSQL (several workers); default: SQLite in the home folder, one process.")]
    public string? QuartzPostgres { get; init; }

    internal EngineOptions ToOptions(bool clientOnly = false, IReadOnlyList<string>? queues = null, string? workerName = null, string? triggersFile = null) => new()
    {
        TriggersFile = triggersFile,
        Home = Home ?? EngineOptions.DefaultHome,
        RunStore = Store is null ? null : RunStoreOptions.Parse(Store),
        QuartzPostgres = QuartzPostgres,
        ClientOnly = clientOnly,
        Queues = queues ?? ["cpu", "gpu"],
        WorkerName = workerName ?? $"{Environment.MachineName}:{Environment.ProcessId}",
    };

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
    internal async Task<TriggerStore?> TriggerStoreAsync(bool create, CancellationToken cancellationToken)
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
        return new TriggerStore(store, ActivityCatalog.Create());
    }

    /// <summary>Where the store is, for messages.</summary>
    internal string StoreLabel => Store is null ? Path.Combine(Home ?? EngineOptions.DefaultHome, "runs.db") : "the run store given by --store";
}
