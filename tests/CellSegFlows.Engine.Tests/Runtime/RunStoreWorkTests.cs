using System.Collections.Concurrent;
using System.Diagnostics;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CellSegFlows.Engine.Tests.Runtime;

/// <summary>
/// What the run store does per step: how many write commands it sends (the SQLite store sends a unit of work's
/// rows as one command), and that the completions which skip the run's end check still end the run.
/// </summary>
public sealed class RunStoreWorkTests
{
    [Fact]
    public async Task Each_chain_step_writes_the_run_store_with_one_command_at_its_start_and_one_at_its_end()
    {
        await using var h = await EngineHarness.StartAsync();
        using var commands = new CommandLog(h.Home);

        // EF remembers for a second (per context, and contexts are pooled) that nobody listened to its commands.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        const int steps = 6;
        var nodes = string.Join(",", Enumerable.Range(0, steps).Select(i =>
            $$"""{ "id": "n{{i}}", "activity": "test.Constant", "inputs": { "value": {{(i == 0 ? "7" : $"\"${{nodes.n{i - 1}.value}}\"")}} }, "cache": false }"""));
        var run = await h.RunAsync($$"""{ "id": "chain", "nodes": [ {{nodes}} ], "outputs": { "last": "${nodes.n{{steps - 1}}.value}" } }""");

        // (test.Constant reports nothing, so no journal flush adds a write of its own.)
        Assert.Equal(RunStatus.Succeeded, run.Run.Status);
        Assert.Equal("""{"last":7}""", run.Run.OutputsJson);

        // Creating the run is one write; each step writes once when it starts and once when it completes (its
        // row, its node's ledger row, its successor's ledger row, step and journal events together); the last
        // completion also finishes the run (one more command), and a worker check-in may fall in the window.
        var writes = commands.Texts.Where(t => t.Contains("INSERT", StringComparison.Ordinal) || t.Contains("UPDATE", StringComparison.Ordinal)).ToList();
        Assert.True(writes.Count >= 2 * steps && writes.Count <= (2 * steps) + 4, string.Join("\n---\n", writes));

        // Each completion's write carries the step, both ledger rows and two journal events in one command.
        Assert.Contains(commands.Texts, t => t.Contains("UPDATE \"steps\"", StringComparison.Ordinal)
            && t.Split("UPDATE \"run_nodes\"").Length == 3 && t.Split("INSERT INTO \"step_events\"").Length == 3);
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
