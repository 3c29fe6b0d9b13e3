using System.Collections.Concurrent;
using System.Diagnostics;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CellSegFlows.Engine.Tests.Runtime;

/// <summary>
/// What the run store does per step: how many statements a step reads with, and that the completions which skip
/// the run's end check still end the run.
/// </summary>
public sealed class RunStoreWorkTests
{
    [Fact]
    public async Task Each_chain_step_reads_the_run_store_three_times_its_step_run_and_ledger_rows_in_one_statement()
    {
        await using var h = await EngineHarness.StartAsync();
        const int steps = 6;
        var nodes = string.Join(",", Enumerable.Range(0, steps).Select(i =>
            $$"""{ "id": "n{{i}}", "activity": "test.Constant", "inputs": { "value": {{(i == 0 ? "7" : $"\"${{nodes.n{i - 1}.value}}\"")}} }, "cache": false }"""));
        var json = $$"""{ "id": "chain", "nodes": [ {{nodes}} ], "outputs": { "last": "${nodes.n{{steps - 1}}.value}" } }""";
        IReadOnlyList<string> reads;
        string runId;
        using (var commands = new CommandLog(h.Home))
        {
            // EF remembers for a second (per context, and contexts are pooled) that nobody listened to its commands.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            runId = await h.Engine.StartRunAsync(json, "chain.json", new Dictionary<string, string>());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await h.Engine.WaitForRunAsync(runId, null, timeout.Token);

            // The wait polls the run's row; what is counted is what the steps read of steps and the ledger.
            reads = [.. commands.Texts.Where(t => t.StartsWith("SELECT", StringComparison.Ordinal)
                && (t.Contains("FROM \"steps\"", StringComparison.Ordinal) || t.Contains("FROM \"run_nodes\"", StringComparison.Ordinal)))];
        }

        var run = await h.Engine.Runs.DetailAsync(runId);
        Assert.Equal(RunStatus.Succeeded, run.Run.Status);
        Assert.Equal("""{"last":7}""", run.Run.OutputsJson);

        // Per step: its rows with its run and ledger row when it starts and again when it completes (one statement
        // each), and its successor's ledger row; the successor's input comes from the completing step in memory.
        // Creating and finishing the run read a few more (the end check and the workflow's outputs).
        Assert.Equal(2 * steps, reads.Count(t => t.Contains("INNER JOIN \"runs\"", StringComparison.Ordinal) && t.Contains("INNER JOIN \"run_nodes\"", StringComparison.Ordinal)));
        Assert.InRange(reads.Count, 3 * steps, (3 * steps) + 6);
    }

    [Fact]
    public async Task A_map_branch_failing_while_its_sibling_still_runs_fails_the_run_when_the_sibling_ends()
    {
        await using var h = await EngineHarness.StartAsync();

        // A negative delay makes the first branch fail at once; the second sleeps, then succeeds after the failure.
        var run = await h.RunAsync("""
            {
              "id": "branch-fails", "parameters": { "ms": { "type": "list<int>", "default": [-100, 600] } },
              "nodes": [
                { "id": "nap", "activity": "test.Sleep", "map": { "over": "${params.ms}" }, "inputs": { "milliseconds": "${item}" } },
                { "id": "after", "activity": "test.Sum", "inputs": { "values": "${nodes.nap.slept}" } }
              ]
            }
            """);

        Assert.Equal(RunStatus.Failed, run.Run.Status);
        Assert.StartsWith("nap[0]: ", run.Run.Error);
        Assert.Equal(StepStatus.Failed, run.Step("nap[0]").Status);
        Assert.Equal(StepStatus.Succeeded, run.Step("nap[1]").Status);
        Assert.True(run.Step("nap[1]").FinishedAt > run.Step("nap[0]").FinishedAt);
        Assert.Equal(StepStatus.Skipped, run.Nodes.Single(n => n.NodeId == "after").Status);
    }

    /// <summary>The text of every EF command sent to the SQLite run store under one engine home (other tests run alongside).</summary>
    private sealed class CommandLog : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly string _home;
        private readonly ConcurrentQueue<string> _texts = new();
        private readonly IDisposable _subscription;
        private readonly ConcurrentBag<IDisposable> _listeners = [];

        public CommandLog(string home)
        {
            _home = Path.GetFullPath(home);
            _subscription = DiagnosticListener.AllListeners.Subscribe(this);
        }

        public IReadOnlyCollection<string> Texts => _texts;

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                _listeners.Add(value.Subscribe(this));
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == RelationalEventId.CommandExecuted.Name && value.Value is CommandExecutedEventData data
                && (data.Command.Connection?.DataSource ?? string.Empty).StartsWith(_home, StringComparison.Ordinal))
            {
                _texts.Enqueue(data.Command.CommandText);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            _subscription.Dispose();
            foreach (var listener in _listeners)
            {
                listener.Dispose();
            }
        }
    }
}
