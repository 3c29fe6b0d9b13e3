using System.Diagnostics;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Runtime;
using Npgsql;
using Xunit.Abstractions;

namespace CellSegFlows.Engine.Tests.Postgres;

/// <summary>Two real worker processes sharing runs through PostgreSQL: crash takeover and the join ledger under races.</summary>
[Collection(PostgresCollection.Name)]
public sealed class MultiWorkerTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task A_step_of_a_sigkilled_worker_is_taken_over_by_the_other_worker_and_no_finished_step_runs_twice()
    {
        var clock = Stopwatch.StartNew();
        await using var database = await TestDatabase.CreateAsync();
        await using var cluster = await PostgresCluster.StartAsync(database, threadsPerWorker: 2);
        output.WriteLine($"database and two workers ready after {clock.Elapsed.TotalSeconds:0.0} s");

        // Six 1.5 s steps on 2 + 2 threads: both workers are busy, so each holds steps when one is killed.
        var runId = await cluster.Client.StartRunAsync("""
            {
              "id": "takeover", "parameters": { "ms": { "type": "list<int>", "default": [1500, 1500, 1500, 1500, 1500, 1500] } },
              "nodes": [
                { "id": "sleep", "activity": "test.Sleep", "map": { "over": "${params.ms}", "as": "ms" }, "inputs": { "milliseconds": "${ms}" }, "cache": false },
                { "id": "join", "activity": "test.Sum", "inputs": { "values": "${nodes.sleep.slept}" }, "cache": false }
              ],
              "outputs": { "total": "${nodes.join.total}" }
            }
            """, "takeover.json", new Dictionary<string, string>());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // Kill a worker while both its threads run a step whose activity has started (progress reported)
        // and is far from done, so no step of it can finish or start between this look and the kill.
        var (victim, interrupted) = await WaitForBusyWorkerAsync(cluster, runId, threads: 2, timeout.Token);
        victim.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var survivor = cluster.Workers.Single(w => w != victim);
        output.WriteLine($"killed {victim.Name} at {clock.Elapsed.TotalSeconds:0.0} s while it ran {string.Join(", ", interrupted)}");

        var run = await WaitForEndAsync(cluster, runId, TimeSpan.FromSeconds(40));
        var journal = Journal(run) + "\n" + cluster.WorkerOutput;
        Assert.True(run.Run.Status == RunStatus.Succeeded, $"{run.Run.Status}\n{journal}");
        Assert.Equal(9000, JsonNode.Parse(run.Run.OutputsJson!)!["total"]!.GetValue<long>());

        var calls = cluster.Calls();
        foreach (var step in run.Steps)
        {
            var runningOn = run.Events.Where(e => e.StepId == step.Id && e.Kind == "state" && e.Status == StepStatus.Running).Select(e => e.Worker).ToList();
            if (interrupted.Contains(step.Id))
            {
                Assert.True(step.Attempt == 2, $"{step.Id}: attempts {step.Attempt}\n{journal}");
                Assert.Equal([victim.Name, survivor.Name], runningOn.Distinct());
                Assert.Equal(survivor.Name, step.Worker);
                Assert.Contains(run.Events, e => e.StepId == step.Id && e.Message!.Contains($"attempt 1 was interrupted (worker {victim.Name} stopped)"));
                Assert.Equal(2, calls.GetValueOrDefault(step.Id));
            }
            else
            {
                Assert.True(step.Attempt == 1, $"{step.Id}: attempts {step.Attempt}\n{journal}");
                Assert.Equal(1, calls.GetValueOrDefault(step.Id));
            }

            Assert.Equal(StepStatus.Succeeded, step.Status);
            Assert.DoesNotContain(PostgresCluster.ClientName, runningOn);
        }

        Assert.Equal(run.Steps.Select(s => s.Id).Order(StringComparer.Ordinal), calls.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(run.Steps, s => s.NodeId == "sleep" && s.Worker == survivor.Name);

        var takeover = run.Steps.Where(s => interrupted.Contains(s.Id)).Max(s => s.StartedAt!.Value) - killedAt;
        output.WriteLine($"takeover: interrupted steps started again on {survivor.Name} {takeover.TotalSeconds:0.0} s after the kill; run done after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.InRange(takeover, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"took {clock.Elapsed}");
    }

    [PostgresFact]
    public async Task A_worker_killed_after_recording_a_step_but_before_scheduling_its_successor_does_not_strand_the_run()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var cluster = await PostgresCluster.StartAsync(database, threadsPerWorker: 2);
        var runId = await cluster.Client.StartRunAsync("""
            { "id": "strand",
              "nodes": [
                { "id": "first", "activity": "test.Sleep", "inputs": { "milliseconds": 1000 }, "cache": false },
                { "id": "second", "activity": "test.Constant", "inputs": { "value": "${nodes.first.slept}" }, "cache": false } ],
              "outputs": { "value": "${nodes.second.value}" } }
            """, "strand.json", new Dictionary<string, string>());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var first = await WaitForStepAsync(cluster, runId, "first", s => s.Status == StepStatus.Running && s.Progress > 0, timeout.Token);
        var victim = cluster.Worker(first.Worker!);

        // Hold Quartz's trigger lock so the worker records the step's end (run store) but blocks while
        // creating the successor's job (Quartz store), then kill it there: a crash between the two stores.
        await using (var quartz = new NpgsqlConnection(database.ConnectionString))
        {
            await quartz.OpenAsync(timeout.Token);
            await using var hold = await quartz.BeginTransactionAsync(timeout.Token);
            await using (var command = new NpgsqlCommand("SELECT 1 FROM qrtz_locks WHERE lock_name = 'TRIGGER_ACCESS' FOR UPDATE", quartz, hold))
            {
                await command.ExecuteScalarAsync(timeout.Token);
            }

            await WaitForStepAsync(cluster, runId, "first", s => s.Status == StepStatus.Succeeded, timeout.Token);
            await Task.Delay(300, timeout.Token);
            victim.Kill();
            await using (var command = new NpgsqlCommand("SELECT count(*) FROM qrtz_job_details WHERE job_name = @name", quartz, hold))
            {
                command.Parameters.AddWithValue("name", $"{runId}/second");
                Assert.Equal(0L, await command.ExecuteScalarAsync(timeout.Token));
            }

            await hold.RollbackAsync(timeout.Token);
        }

        var run = await WaitForEndAsync(cluster, runId, TimeSpan.FromSeconds(30));
        Assert.True(run.Run.Status == RunStatus.Succeeded, $"{run.Run.Status}\n{Journal(run)}\n{cluster.WorkerOutput}");
        Assert.Equal("""{"value":1000}""", run.Run.OutputsJson);
        var calls = cluster.Calls();
        Assert.Equal(1, calls.GetValueOrDefault($"{runId}/first"));
        Assert.Equal(1, calls.GetValueOrDefault($"{runId}/second"));
        Assert.Equal(cluster.Workers.Single(w => w != victim).Name, run.Step("second").Worker);
    }

    [PostgresFact]
    public async Task Many_parents_finishing_at_once_on_two_workers_release_the_join_exactly_once()
    {
        var clock = Stopwatch.StartNew();
        await using var database = await TestDatabase.CreateAsync();
        await using var cluster = await PostgresCluster.StartAsync(database, threadsPerWorker: 4);

        // Four mapped parents of eight branches each: the branches race on their node's counter, the
        // parents race on the join's pending count. Two runs at once add more collisions.
        const string json = """
            {
              "id": "ledger", "parameters": { "xs": { "type": "list<int>", "default": [1, 2, 3, 4, 5, 6, 7, 8] } },
              "nodes": [
                { "id": "p1", "activity": "test.Add", "map": { "over": "${params.xs}", "as": "x" }, "inputs": { "a": "${x}", "b": 0, "delayMs": 150 }, "cache": false },
                { "id": "p2", "activity": "test.Add", "map": { "over": "${params.xs}", "as": "x" }, "inputs": { "a": "${x}", "b": 10, "delayMs": 150 }, "cache": false },
                { "id": "p3", "activity": "test.Add", "map": { "over": "${params.xs}", "as": "x" }, "inputs": { "a": "${x}", "b": 100, "delayMs": 150 }, "cache": false },
                { "id": "p4", "activity": "test.Add", "map": { "over": "${params.xs}", "as": "x" }, "inputs": { "a": "${x}", "b": 1000, "delayMs": 150 }, "cache": false },
                { "id": "join", "activity": "test.Gather", "cache": false,
                  "inputs": { "a": "${nodes.p1.sum}", "b": "${nodes.p2.sum}", "c": "${nodes.p3.sum}", "d": "${nodes.p4.sum}" } }
              ],
              "outputs": { "total": "${nodes.join.total}", "count": "${nodes.join.count}" }
            }
            """;
        var runIds = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => cluster.Client.StartRunAsync(json, "ledger.json", new Dictionary<string, string>())));
        var calls = new Dictionary<string, int>();
        foreach (var runId in runIds)
        {
            var run = await WaitForEndAsync(cluster, runId, TimeSpan.FromSeconds(40));
            var journal = Journal(run) + "\n" + cluster.WorkerOutput;
            Assert.True(run.Run.Status == RunStatus.Succeeded, $"{run.Run.Status}\n{journal}");
            var outputs = JsonNode.Parse(run.Run.OutputsJson!)!;
            Assert.Equal((4 * 36) + (8 * 1110), outputs["total"]!.GetValue<long>());
            Assert.Equal(32, outputs["count"]!.GetValue<int>());

            var join = Assert.Single(run.Steps, s => s.NodeId == "join");
            Assert.Equal(1, join.Attempt);
            Assert.Single(run.Events, e => e.StepId == join.Id && e.Status == StepStatus.Scheduled);
            Assert.Equal(33, run.Steps.Count);
            Assert.All(run.Steps, s => Assert.Equal(1, s.Attempt));
            Assert.All(run.Nodes, n =>
            {
                Assert.Equal(0, n.PendingParents);
                Assert.Equal(n.MapElementCount, n.MapElementsDone);
                Assert.Equal(StepStatus.Succeeded, n.Status);
            });
            Assert.Equal(["worker-a", "worker-b"], run.Steps.Select(s => s.Worker).Distinct().Order(StringComparer.Ordinal));
            calls = cluster.Calls().ToDictionary();
            Assert.All(run.Steps, s => Assert.True(calls.GetValueOrDefault(s.Id) == 1, $"{s.Id} ran {calls.GetValueOrDefault(s.Id)} times\n{journal}"));
        }

        Assert.Equal(66, calls.Count);
        output.WriteLine($"two runs of 33 steps on two workers in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Waits for the run's end, or gives up after <paramref name="limit"/>; the caller asserts on the status.</summary>
    private static async Task<RunDetail> WaitForEndAsync(PostgresCluster cluster, string runId, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await cluster.Client.WaitForRunAsync(runId, null, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Still running: the status assertion reports it with the journal.
        }

        return await cluster.Client.Runs.DetailAsync(runId);
    }

    private static async Task<StepRecord> WaitForStepAsync(PostgresCluster cluster, string runId, string stepSuffix, Func<StepRecord, bool> condition, CancellationToken ct)
    {
        while (true)
        {
            var snapshot = await cluster.Client.Runs.SnapshotAsync(runId, ct);
            if (snapshot.Steps.FirstOrDefault(s => s.Id == $"{runId}/{stepSuffix}") is { } step && condition(step))
            {
                return step;
            }

            await Task.Delay(20, ct);
        }
    }

    /// <summary>Waits until one worker runs <paramref name="threads"/> steps, each started (progress seen) and not past 60 %.</summary>
    private static async Task<(WorkerProcess Worker, HashSet<string> Steps)> WaitForBusyWorkerAsync(PostgresCluster cluster, string runId, int threads, CancellationToken ct)
    {
        while (true)
        {
            var snapshot = await cluster.Client.Runs.SnapshotAsync(runId, ct);
            foreach (var worker in cluster.Workers)
            {
                var running = snapshot.Steps.Where(s => s.Status == StepStatus.Running && s.Worker == worker.Name).ToList();
                if (running.Count == threads && running.All(s => s.Progress is > 0 and <= 0.6))
                {
                    return (worker, running.Select(s => s.Id).ToHashSet(StringComparer.Ordinal));
                }
            }

            if (snapshot.Run.Status != RunStatus.Running || ct.IsCancellationRequested)
            {
                throw new InvalidOperationException($"no worker ever ran {threads} steps at once:\n{Journal(await cluster.Client.Runs.DetailAsync(runId, CancellationToken.None))}\n{cluster.WorkerOutput}");
            }

            await Task.Delay(40, ct);
        }
    }

    private static string Journal(RunDetail run) =>
        string.Join('\n', run.Events.Select(e => $"{e.Time:HH:mm:ss.fff} {e.StepId} {e.Kind} {e.Status} a{e.Attempt} {e.Worker}: {e.Message}"));
}
