using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.TestHost;

namespace CellSegFlows.Engine.Tests.Runtime;

/// <summary>A real worker process stopped with SIGTERM: it drains (no new steps; running ones finish or are handed back).</summary>
public sealed class DrainTests
{
    private const string Workflow = """
        { "id": "drain",
          "nodes": [
            { "id": "slow", "activity": "test.Sleep", "inputs": { "milliseconds": MS, "key": "slow" }, "timeout": "1m" },
            { "id": "after", "activity": "test.Add", "inputs": { "a": "${nodes.slow.slept}", "b": 1, "key": "after" } } ],
          "outputs": { "sum": "${nodes.after.sum}" } }
        """;

    [Fact]
    public async Task Sigterm_lets_the_running_step_finish_and_starts_no_new_one_then_a_restart_carries_on()
    {
        var (home, calls, workflow, env) = await SetUpAsync(3000);
        string runId;
        using (var worker = TestHostProcess.Start(env, "drain", home, workflow, "60000"))
        {
            runId = await worker.WaitForLineAsync("RUN ", TimeSpan.FromSeconds(60));
            await WaitForCallAsync(calls, "slow", worker);
            var terminated = DateTimeOffset.UtcNow;
            worker.Terminate();
            Assert.Equal("1 0", await worker.WaitForLineAsync("DRAINED ", TimeSpan.FromSeconds(60)));
            Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));

            // The worker recorded that it was draining (what the operations view shows) when its drain began, then stopped.
            await using var db = RunStoreOptions.Sqlite(Path.Combine(home, "runs.db")).CreateContext();
            var row = Assert.Single(db.Workers);
            Assert.NotNull(row.StoppedAt);
            Assert.InRange(row.DrainRequestedAt!.Value, terminated, row.StoppedAt.Value);
        }

        // 'slow' finished during the drain; its successor became ready then but was not started by the draining worker.
        var queries = new RunQueries(RunStoreOptions.Sqlite(Path.Combine(home, "runs.db")));
        var drained = await queries.DetailAsync(runId);
        Assert.Equal(RunStatus.Running, drained.Run.Status);
        Assert.Equal(StepStatus.Succeeded, drained.Step("slow").Status);
        Assert.Equal(1, drained.Step("slow").Attempt);
        Assert.Equal(0, Calls.InFile(calls, "after"));

        using (var next = TestHostProcess.Start(env, "resume", home, runId))
        {
            Assert.Equal("Succeeded", await next.WaitForLineAsync("STATUS ", TimeSpan.FromSeconds(90)));
        }

        Assert.Equal(1, Calls.InFile(calls, "slow"));
        Assert.Equal(1, Calls.InFile(calls, "after"));
        Assert.Equal("""{"sum":3001}""", (await queries.DetailAsync(runId)).Run.OutputsJson);
    }

    [Fact]
    public async Task A_step_still_running_at_the_drain_deadline_is_handed_back_and_the_next_worker_runs_it_again()
    {
        var (home, calls, workflow, env) = await SetUpAsync(6000);
        string runId;
        using (var worker = TestHostProcess.Start(env, "drain", home, workflow, "500"))
        {
            runId = await worker.WaitForLineAsync("RUN ", TimeSpan.FromSeconds(60));
            await WaitForCallAsync(calls, "slow", worker);
            worker.Terminate();
            Assert.Equal("0 1", await worker.WaitForLineAsync("DRAINED ", TimeSpan.FromSeconds(30)));
            Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var queries = new RunQueries(RunStoreOptions.Sqlite(Path.Combine(home, "runs.db")));
        Assert.Equal(StepStatus.Running, (await queries.DetailAsync(runId)).Step("slow").Status);
        using (var next = TestHostProcess.Start(env, "resume", home, runId))
        {
            Assert.Equal("Succeeded", await next.WaitForLineAsync("STATUS ", TimeSpan.FromSeconds(90)));
        }

        var detail = await queries.DetailAsync(runId);
        Assert.Equal(2, Calls.InFile(calls, "slow"));
        Assert.Equal(1, Calls.InFile(calls, "after"));
        Assert.Equal(2, detail.Step("slow").Attempt);
        Assert.Contains(detail.EventsOf("slow"), e => e.Message!.Contains("attempt 1 was interrupted"));
    }

    [Fact]
    public async Task A_drain_requested_through_the_run_store_reaches_the_worker_at_its_next_check_in()
    {
        // The step outlasts a check-in interval (5 s), so it is still running when the worker sees the request.
        var (home, calls, workflow, env) = await SetUpAsync(9000);
        using var worker = TestHostProcess.Start(env, "drain", home, workflow, "60000");
        var runId = await worker.WaitForLineAsync("RUN ", TimeSpan.FromSeconds(60));
        await WaitForCallAsync(calls, "slow", worker);
        var store = RunStoreOptions.Sqlite(Path.Combine(home, "runs.db"));
        Assert.Empty(await WorkerRegistry.RequestDrainAsync(store, "no-such-worker"));
        var asked = await WorkerRegistry.RequestDrainAsync(store, Environment.MachineName);
        Assert.Single(asked);
        Assert.Equal("1 0", await worker.WaitForLineAsync("DRAINED ", TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var detail = await new RunQueries(store).DetailAsync(runId);
        Assert.Equal(StepStatus.Succeeded, detail.Step("slow").Status);
        Assert.Equal(0, Calls.InFile(calls, "after"));

        // The next process of that name starts afresh: the request was for the one before.
        using var next = TestHostProcess.Start(env, "resume", home, runId);
        Assert.Equal("Succeeded", await next.WaitForLineAsync("STATUS ", TimeSpan.FromSeconds(90)));
    }

    private static async Task<(string Home, string Calls, string Workflow, Dictionary<string, string> Env)> SetUpAsync(int sleepMs)
    {
        var home = TestPaths.NewTempFolder();
        var calls = Path.Combine(home, "calls.txt");
        var workflow = Path.Combine(home, "wf.json");
        await File.WriteAllTextAsync(workflow, Workflow.Replace("MS", sleepMs.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var env = new Dictionary<string, string> { ["CELLSEGFLOWS_TEST_CALLS"] = calls, ["CELLSEGFLOWS_TEST_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return (home, calls, workflow, env);
    }

    private static async Task WaitForCallAsync(string calls, string key, TestHostProcess worker)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Calls.InFile(calls, key) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"step '{key}' never started:\n{worker.Output}");
            await Task.Delay(50);
        }
    }
}
