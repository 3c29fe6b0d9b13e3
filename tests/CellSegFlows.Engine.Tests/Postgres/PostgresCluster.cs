using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Runtime;

namespace CellSegFlows.Engine.Tests.Postgres;

/// <summary>
/// Two worker processes and a client engine (schedules and queries, runs nothing) sharing the clustered
/// Quartz store and the run store in one test database. Disposing kills whatever worker still lives.
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    public const string ClientName = "client";

    private PostgresCluster(WorkflowEngine client, IReadOnlyList<WorkerProcess> workers, string callsFile)
    {
        Client = client;
        Workers = workers;
        CallsFile = callsFile;
    }

    public WorkflowEngine Client { get; }

    public IReadOnlyList<WorkerProcess> Workers { get; }

    /// <summary>Where the workers' test activities append the key of every execution.</summary>
    public string CallsFile { get; }

    /// <summary>Everything the workers printed (for failure messages).</summary>
    public string WorkerOutput => string.Join('\n', Workers.Select(w => w.Output));

    /// <summary>Starts the workers at the same moment on the empty database (as a deployment would), then the client.</summary>
    public static async Task<PostgresCluster> StartAsync(TestDatabase database, int threadsPerWorker)
    {
        var callsFile = Path.Combine(TestPaths.NewTempFolder(), "calls.txt");
        var workers = new List<WorkerProcess>();
        WorkflowEngine? client = null;
        try
        {
            foreach (var name in new[] { "worker-a", "worker-b" })
            {
                workers.Add(WorkerProcess.Start(name, database.ConnectionString, callsFile, threadsPerWorker));
            }

            await Task.WhenAll(workers.Select(w => w.WaitReadyAsync(TimeSpan.FromSeconds(60))));
            client = await WorkflowEngine.StartAsync(
                new EngineOptions
                {
                    Home = TestPaths.NewTempFolder(),
                    QuartzPostgres = database.ConnectionString,
                    RunStore = RunStoreOptions.Postgres(database.ConnectionString),
                    ClientOnly = true,
                    WorkerName = ClientName,
                },
                EngineHarness.Registry());
            return new PostgresCluster(client, workers, callsFile);
        }
        catch
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            throw;
        }
    }

    public WorkerProcess Worker(string name) => Workers.Single(w => w.Name == name);

    /// <summary>How many times the activities ran a key, over all workers.</summary>
    public IReadOnlyDictionary<string, int> Calls() => Engine.TestHost.Calls.AllInFiles(CallsFile);

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var worker in Workers)
            {
                await worker.DisposeAsync();
            }
        }
        finally
        {
            await Client.StopAsync(waitForSteps: false);
        }
    }
}
