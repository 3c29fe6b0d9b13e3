using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Bench.Cluster;

/// <summary>Worker processes and a client engine (schedules and queries, runs nothing) on one bench database.</summary>
internal sealed class ClusterSetup : IAsyncDisposable
{
    private readonly List<BenchWorker> _workers;
    private readonly int _threads;
    private int _started;

    private ClusterSetup(BenchDatabase database, WorkflowEngine client, List<BenchWorker> workers, int threads)
    {
        Database = database;
        Client = client;
        _workers = workers;
        _threads = threads;
        _started = workers.Count;
    }

    public BenchDatabase Database { get; }

    public WorkflowEngine Client { get; }

    public IReadOnlyList<BenchWorker> Workers => _workers;

    /// <summary>Starts <paramref name="count"/> workers (w1, w2, ...) on a fresh database, all at once as a deployment would, then the client.</summary>
    public static async Task<ClusterSetup> StartAsync(string server, int count, int threads)
    {
        var database = await BenchDatabase.CreateAsync(server).ConfigureAwait(false);
        var workers = Enumerable.Range(1, count).Select(i => BenchWorker.Start($"w{i}", database.ConnectionString, threads)).ToList();
        await Task.WhenAll(workers.Select(w => w.WaitReadyAsync(TimeSpan.FromMinutes(2)))).ConfigureAwait(false);
        var client = await WorkflowEngine.StartAsync(
            new EngineOptions
            {
                Home = Path.Combine(Path.GetTempPath(), "cellsegflows-cluster-bench", "client-" + Guid.NewGuid().ToString("N")[..8]),
                QuartzPostgres = database.ConnectionString,
                RunStore = RunStoreOptions.Postgres(database.ConnectionString),
                ClientOnly = true,
                WorkerName = "bench-client",
            },
            BenchActivities.Registry()).ConfigureAwait(false);
        return new ClusterSetup(database, client, workers, threads);
    }

    public BenchWorker Worker(string name) => _workers.Single(w => w.Name == name);

    /// <summary>Replaces a (killed) worker by a new one under a new name, so it cannot recover its own jobs at its first check-in.</summary>
    public async Task ReplaceAsync(BenchWorker gone)
    {
        _workers.Remove(gone);
        await gone.DisposeAsync().ConfigureAwait(false);
        var fresh = BenchWorker.Start($"w{++_started}", Database.ConnectionString, _threads);
        _workers.Add(fresh);
        await fresh.WaitReadyAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.StopAsync(waitForSteps: false).ConfigureAwait(false);
            await Client.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            foreach (var worker in _workers)
            {
                await worker.DisposeAsync().ConfigureAwait(false);
            }

            await Database.DisposeAsync().ConfigureAwait(false);
        }
    }
}
