using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Runtime;
using Xunit.Abstractions;

namespace CellSegFlows.Engine.Tests.Postgres;

/// <summary>
/// The chaos drill, test-sized: three worker processes on the clustered PostgreSQL stores and one shared artifact
/// folder run a DAG with maps and joins and real (small) artifacts while a seeded loop SIGKILLs a random worker every
/// couple of seconds and starts it again. Nothing may be lost or done twice.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChaosDrillTests(ITestOutputHelper output)
{
    /// <summary>A DAG of 4 maps over <paramref name="n"/> elements and three joins: 4n + 3 steps.</summary>
    public static string Definition(int n, int sleepMs)
    {
        var texts = string.Join(", ", Enumerable.Range(0, n).Select(i => $"\"element {i} of the drill\""));
        var ms = string.Join(", ", Enumerable.Repeat(sleepMs, n));
        return $$"""
            {
              "id": "chaos",
              "parameters": {
                "texts": { "type": "list<string>", "default": [{{texts}}] },
                "ms": { "type": "list<int>", "default": [{{ms}}] }
              },
              "nodes": [
                { "id": "write", "activity": "test.WriteText", "map": { "over": "${params.texts}", "as": "t" }, "inputs": { "text": "${t}" }, "cache": false },
                { "id": "read", "activity": "test.ReadText", "map": { "over": "${nodes.write.file}", "as": "f" }, "inputs": { "file": "${f}" }, "cache": false },
                { "id": "slow", "activity": "test.Sleep", "map": { "over": "${params.ms}", "as": "m" }, "inputs": { "milliseconds": "${m}" }, "cache": false },
                { "id": "add", "activity": "test.Add", "map": { "over": "${nodes.slow.slept}", "as": "s" }, "inputs": { "a": "${s}", "b": 1, "delayMs": 100 }, "cache": false },
                { "id": "total", "activity": "test.Sum", "inputs": { "values": "${nodes.add.sum}" }, "cache": false },
                { "id": "gather", "activity": "test.Gather", "inputs": { "a": "${nodes.add.sum}", "b": "${nodes.slow.slept}" }, "cache": false },
                { "id": "final", "activity": "test.Add", "inputs": { "a": "${nodes.total.total}", "b": "${nodes.gather.total}" }, "cache": false }
              ],
              "outputs": { "final": "${nodes.final.sum}", "texts": "${nodes.read.text}" }
            }
            """;
    }

    [PostgresFact]
    public async Task Three_workers_sigkilled_at_random_finish_the_run_with_every_result_recorded_once_and_every_artifact_whole()
    {
        // Test-sized by default (51 steps); CELLSEGFLOWS_CHAOS_ELEMENTS=50 is the full drill (203 steps, more kills).
        var n = int.TryParse(Environment.GetEnvironmentVariable("CELLSEGFLOWS_CHAOS_ELEMENTS"), out var elements) && elements > 0 ? elements : 12;
        var maxKills = Math.Max(8, n / 2);
        const int sleepMs = 2000, seed = 17;
        await using var database = await TestDatabase.CreateAsync();
        var folder = TestPaths.NewTempFolder();
        var calls = Path.Combine(folder, "calls.txt");
        var artifacts = Path.Combine(folder, "artifacts");
        var names = new[] { "chaos-a", "chaos-b", "chaos-c" };
        var workers = names.Select(name => WorkerProcess.Start(name, database.ConnectionString, calls, 2, artifacts)).ToArray();
        var outputs = new List<string>();
        WorkflowEngine? client = null;
        try
        {
            await Task.WhenAll(workers.Select(w => w.WaitReadyAsync(TimeSpan.FromSeconds(90))));
            client = await WorkflowEngine.StartAsync(
                new EngineOptions
                {
                    Home = TestPaths.NewTempFolder(), QuartzPostgres = database.ConnectionString, RunStore = RunStoreOptions.Postgres(database.ConnectionString),
                    ClientOnly = true, WorkerName = PostgresCluster.ClientName, ArtifactRoot = artifacts,
                },
                EngineHarness.Registry());
            var clock = Stopwatch.StartNew();
            var runId = await client.StartRunAsync(Definition(n, sleepMs), "chaos.json", new Dictionary<string, string>());

            // The seeded kill loop: every 1.5-2.5 s a random worker is SIGKILLed and started again under its name.
            var random = new Random(seed);
            var kills = new List<string>();
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3 + (n / 10)));
            var waiting = client.WaitForRunAsync(runId, null, limit.Token);
            while (!waiting.IsCompleted && kills.Count < maxKills)
            {
                await Task.WhenAny(waiting, Task.Delay(1500 + random.Next(1000)));
                if (waiting.IsCompleted)
                {
                    break;
                }

                // A random worker among those running steps now (any, when none is), so kills interrupt work.
                var busy = (await client.Runs.SnapshotAsync(runId)).Steps.Where(st => st.Status == StepStatus.Running).Select(st => st.Worker).ToHashSet();
                var candidates = Enumerable.Range(0, workers.Length).Where(i => busy.Contains(names[i])).DefaultIfEmpty(random.Next(workers.Length)).ToList();
                var index = candidates[random.Next(candidates.Count)];
                workers[index].Kill();
                outputs.Add(workers[index].Output);
                kills.Add($"{clock.Elapsed.TotalSeconds:0.0}s {names[index]}{(busy.Contains(names[index]) ? " (busy)" : string.Empty)}");
                await workers[index].DisposeAsync();
                workers[index] = WorkerProcess.Start(names[index], database.ConnectionString, calls, 2, artifacts);   // not awaited: kills go on meanwhile
            }

            await waiting;
            var run = await client.Runs.DetailAsync(runId);
            var journal = string.Join('\n', run.Events.Select(e => $"{e.Time:HH:mm:ss.fff} {e.StepId} {e.Kind} {e.Status} a{e.Attempt} {e.Worker}: {e.Message}"));
            output.WriteLine($"{kills.Count} kills ({string.Join(", ", kills)}); run {run.Run.Status} after {clock.Elapsed.TotalSeconds:0.0} s; {run.Steps.Count} steps, {run.Steps.Count(s => s.Attempt > 1)} with interrupted attempts");
            Assert.True(run.Run.Status == RunStatus.Succeeded, $"{run.Run.Status}: {run.Run.Error}\n{journal}");
            Assert.NotEmpty(kills);
            Assert.Contains(run.Steps, st => st.Attempt > 1);   // the drill interrupted work, and the run still finished

            // The run completes with the right result.
            var result = JsonNode.Parse(run.Run.OutputsJson!)!;
            var adds = n * (sleepMs + 1L);
            Assert.Equal(adds + adds + (n * (long)sleepMs), result["final"]!.GetValue<long>());
            Assert.Equal(Enumerable.Range(0, n).Select(i => $"element {i} of the drill"), result["texts"]!.AsArray().Select(t => t!.GetValue<string>()));

            Assert.Equal((4 * n) + 3, run.Steps.Count);
            var called = Engine.TestHost.Calls.AllInFiles(calls);
            foreach (var step in run.Steps)
            {
                var events = run.Events.Where(e => e.StepId == step.Id).ToList();
                Assert.Equal(StepStatus.Succeeded, step.Status);

                // Every step's result is recorded exactly once, and nothing of it started after that.
                var succeeded = Assert.Single(events, e => e.Kind == "state" && e.Status == StepStatus.Succeeded);
                Assert.DoesNotContain(events, e => e.Kind == "state" && e.Status == StepStatus.Running && e.Id > succeeded.Id);

                // One start per attempt; every attempt but the last was interrupted, and the journal says so.
                var starts = events.Count(e => e.Kind == "state" && e.Message?.Contains(" started on ", StringComparison.Ordinal) == true);
                Assert.True(starts == step.Attempt, $"{step.Id}: {starts} starts for {step.Attempt} attempts\n{journal}");
                for (var attempt = 1; attempt < step.Attempt; attempt++)
                {
                    Assert.True(events.Any(e => e.Message?.Contains($"attempt {attempt} was interrupted", StringComparison.Ordinal) == true), $"{step.Id}: attempt {attempt} not journalled as interrupted\n{journal}");
                }

                // The activity ran at most once per attempt (an attempt killed before its activity began did not run it).
                if (step.NodeId is "write" or "read" or "slow" or "add" or "total" or "gather" or "final")
                {
                    var ran = called.GetValueOrDefault(step.Id);
                    Assert.True(ran >= 1 && ran <= step.Attempt, $"{step.Id}: activity ran {ran} times in {step.Attempt} attempts");
                }
            }

            // Every artifact's bytes match its hash, in the one folder all workers share.
            Assert.NotEmpty(run.Artifacts);
            foreach (var artifact in run.Artifacts)
            {
                var path = client.Artifacts.GetPath(new Engine.Activities.ArtifactRef(artifact.Hash, artifact.Name, artifact.Size));
                Assert.Equal(artifact.Hash, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path))));
            }
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }

            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }
}
