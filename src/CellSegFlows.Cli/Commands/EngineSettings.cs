using System.ComponentModel;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
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

    internal EngineOptions ToOptions(bool clientOnly = false, IReadOnlyList<string>? queues = null, string? workerName = null) => new()
    {
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
}
