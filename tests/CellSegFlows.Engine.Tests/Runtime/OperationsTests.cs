using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Tests.Runtime;

public sealed class OperationsTests
{
    [Fact]
    public async Task A_worker_checks_in_with_its_execution_groups_and_records_when_it_stopped()
    {
        var home = TestPaths.NewTempFolder();
        var h = await EngineHarness.StartAsync(home, o => o with { Queues = ["cpu"], WorkerName = "ops-worker", TriggerSyncInterval = TimeSpan.FromMilliseconds(300) });
        var first = (await h.Engine.Workers.ListAsync()).Single();
        Assert.Equal("ops-worker", first.Name);
        Assert.Equal("cpu", first.Queues);
        Assert.Null(first.StoppedAt);
        await Task.Delay(1000);
        var later = (await h.Engine.Workers.ListAsync()).Single();
        Assert.True(later.LastSeenAt > first.LastSeenAt, "the worker checks in again every sync interval");

        await h.DisposeAsync();
        var store = RunStoreOptions.Sqlite(Path.Combine(home, "runs.db"));
        await using var db = store.CreateContext();
        var stopped = db.Workers.Single();
        Assert.NotNull(stopped.StoppedAt);
        Assert.Equal(first.StartedAt, stopped.StartedAt);
    }

    [Fact]
    public async Task A_paused_engine_starts_no_step_until_it_resumes()
    {
        await using var h = await EngineHarness.StartAsync();
        await h.Engine.PauseAsync();
        Assert.True(h.Engine.IsPaused);
        var runId = await h.Engine.StartRunAsync("""{ "id": "paused", "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": 3 } } ] }""", "test.json", new Dictionary<string, string>());
        await Task.Delay(1500);
        var snapshot = await h.Engine.Runs.SnapshotAsync(runId);
        Assert.Equal(StepStatus.Scheduled, snapshot.Steps.Single().Status);

        await h.Engine.ResumeAsync();
        Assert.False(h.Engine.IsPaused);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(RunStatus.Succeeded, (await h.Engine.WaitForRunAsync(runId, null, timeout.Token)).Status);
    }
}
