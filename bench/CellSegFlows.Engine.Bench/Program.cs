using System.Diagnostics;
using System.Globalization;
using System.Text;
using CellSegFlows.Engine.Bench;
using CellSegFlows.Engine.Bench.Cluster;
using CellSegFlows.Engine.Hosting;

// Usage: dotnet run -c Release --project bench/CellSegFlows.Engine.Bench -- [wide|chain|all] [--steps N] [--threads T] [--warmup N] [--count-sql]
//        ... -- failover [--kills 20] [--workers 3] [--threads 2] [--hold 5] [--seed 17] [--pg CONN]
//        ... -- throughput [--steps 10000] [--workers 1,3] [--threads 2] [--warmup 300] [--pg CONN]
// wide/chain/all: the embedded default (SQLite stores, in-process worker). Prints wall time, engine overhead per step and
// peak memory (VmHWM) for DAGs of no-op steps. With --warmup N (default 0) the same engine first runs an N-step DAG of
// the same shape, untimed, so the figure is a running worker's (JIT done), not a cold process's. With --count-sql it also
// prints the run store's SQL statements per step, by kind.
// failover/throughput: worker processes of this program (mode cluster-worker) on the clustered PostgreSQL stores, in a
// fresh database of the server given by --pg (default: CELLSEGFLOWS_TEST_PG, as the tests use), dropped afterwards.
if (args.Length >= 5 && args[0] == "cluster-worker")
{
    return await BenchWorker.RunAsync(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture));
}

var mode = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var steps = Option("--steps", 1000);
var threads = Option("--threads", Environment.ProcessorCount);
var warmup = Option("--warmup", 0);
if (mode is "failover" or "throughput")
{
    var server = OptionText("--pg") ?? Environment.GetEnvironmentVariable("CELLSEGFLOWS_TEST_PG");
    if (string.IsNullOrEmpty(server))
    {
        Console.Error.WriteLine("failover and throughput need a PostgreSQL server: --pg 'Host=127.0.0.1;Port=55432;Username=postgres' or CELLSEGFLOWS_TEST_PG " +
            "(a throwaway one: eval \"$(bash .ci/postgres.sh start)\")");
        return 2;
    }

    var workerCounts = (OptionText("--workers") ?? (mode == "failover" ? "3" : "1,3")).Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToList();
    var clusterThreads = Option("--threads", Math.Max(2, Environment.ProcessorCount));
    if (mode == "failover")
    {
        await FailoverBench.RunAsync(server, Option("--kills", 20), workerCounts[0], clusterThreads, Option("--seed", 17), TimeSpan.FromSeconds(Option("--hold", 5)));
    }
    else
    {
        await ThroughputBench.RunAsync(server, Option("--steps", 10_000), workerCounts, clusterThreads, Option("--warmup", 300));
    }

    return 0;
}

using var sql = args.Contains("--count-sql") ? new SqlCounter() : null;
Console.WriteLine($"engine bench: {Environment.ProcessorCount} cores, {threads} threads, warm-up {warmup} steps, {DateTime.UtcNow:yyyy-MM-dd}");
if (mode is "wide" or "all")
{
    await MeasureAsync("wide (map over N + join)", Workflows.Wide(steps), steps + 1, warmup > 0 ? Workflows.Wide(warmup) : null);
}

if (mode is "chain" or "all")
{
    await MeasureAsync("chain (N nodes in a line)", Workflows.Chain(steps), steps, warmup > 0 ? Workflows.Chain(warmup) : null);
}

return 0;

int Option(string name, int fallback) => OptionText(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? OptionText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

async Task MeasureAsync(string name, string json, int stepCount, string? warmupJson)
{
    var home = Path.Combine(Path.GetTempPath(), "cellsegflows-engine-bench", Guid.NewGuid().ToString("N"));
    var registry = BenchActivities.Registry();
    var startClock = Stopwatch.StartNew();
    await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home, Threads = threads }, registry);
    var startup = startClock.Elapsed;
    if (warmupJson is not null)
    {
        await engine.WaitForRunAsync(await engine.StartRunAsync(warmupJson, "warm-up", new Dictionary<string, string>()));
    }

    if (sql is not null)
    {
        sql.Reset();
        sql.Enabled = true;
    }

    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var runId = await engine.StartRunAsync(json, name, new Dictionary<string, string>());
    var run = await engine.WaitForRunAsync(runId);
    var wall = clock.Elapsed;
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    if (sql is not null)
    {
        sql.Enabled = false;
        foreach (var (statement, count) in sql.Counts.OrderByDescending(c => c.Value))
        {
            Console.WriteLine($"  run-store SQL per step {(double)count / stepCount,7:0.00}  {statement}");
        }
    }

    var detail = await engine.Runs.DetailAsync(runId);
    var busy = detail.Steps.Sum(s => (s.FinishedAt - s.StartedAt)?.TotalMilliseconds ?? 0);
    var waiting = detail.Steps.Sum(s => (s.StartedAt - s.ScheduledAt)?.TotalMilliseconds ?? 0);
    Console.WriteLine($"{name}: {stepCount} steps, status {run.Status}, wall {wall.TotalSeconds:0.00} s, " +
        $"{wall.TotalMilliseconds / stepCount:0.00} ms per step (wall / steps), activity time {busy / stepCount:0.000} ms per step, " +
        $"scheduled-to-started {waiting / stepCount:0.000} ms per step, CPU {cpu.TotalSeconds:0.00} s ({cpu.TotalMilliseconds / stepCount:0.00} ms per step, all threads), " +
        $"engine start {startup.TotalMilliseconds:0} ms, peak memory {PeakMegabytes():0} MiB");
    await engine.StopAsync();
    Directory.Delete(home, recursive: true);
}

static double PeakMegabytes()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
    }

    return double.NaN;
}

namespace CellSegFlows.Engine.Bench
{
    /// <summary>Definitions of benchmark DAGs.</summary>
    internal static class Workflows
    {
        public static string Wide(int n) =>
            $$"""
            { "id": "bench-wide", "parameters": { "xs": { "type": "list<int>", "default": [{{string.Join(",", Enumerable.Range(0, n))}}] } },
              "nodes": [
                { "id": "each", "activity": "bench.Noop", "map": { "over": "${params.xs}" }, "inputs": { "value": "${item}" }, "cache": false },
                { "id": "join", "activity": "bench.Noop", "inputs": { "values": "${nodes.each.value}" }, "cache": false } ] }
            """;

        public static string Chain(int n)
        {
            var nodes = new StringBuilder();
            for (var i = 0; i < n; i++)
            {
                var input = i == 0 ? "0" : $"\"${{nodes.n{i - 1}.value}}\"";
                nodes.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? "," : string.Empty)}{{ \"id\": \"n{i}\", \"activity\": \"bench.Noop\", \"inputs\": {{ \"value\": {input} }}, \"cache\": false }}");
            }

            return $$"""{ "id": "bench-chain", "nodes": [ {{nodes}} ] }""";
        }
    }
}
