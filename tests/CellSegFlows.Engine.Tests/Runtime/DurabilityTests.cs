using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.TestHost;

namespace CellSegFlows.Engine.Tests.Runtime;

public sealed class DurabilityTests
{
    [Fact]
    public async Task A_run_killed_with_sigkill_continues_on_restart_without_repeating_finished_steps()
    {
        var home = TestPaths.NewTempFolder();
        var calls = Path.Combine(home, "calls.txt");
        var workflow = Path.Combine(home, "wf.json");
        await File.WriteAllTextAsync(workflow, """
            { "id": "durable",
              "nodes": [
                { "id": "first", "activity": "test.Constant", "inputs": { "value": 5, "key": "first" } },
                { "id": "slow", "activity": "test.Sleep", "inputs": { "milliseconds": 4000, "key": "slow" }, "timeout": "1m" },
                { "id": "last", "activity": "test.Add", "inputs": { "a": "${nodes.first.value}", "b": "${nodes.slow.slept}", "key": "last" } } ],
              "outputs": { "sum": "${nodes.last.sum}" } }
            """);
        var env = new Dictionary<string, string> { ["CELLSEGFLOWS_TEST_CALLS"] = calls };

        string runId;
        using (var first = TestHostProcess.Start(env, "run", home, workflow))
        {
            runId = await first.WaitForLineAsync("RUN ", TimeSpan.FromSeconds(60));
            // Kill once 'first' has committed its success (not merely run: both roots run in parallel, and a
            // kill between its activity and its commit rightly runs it again) while 'slow' is mid-step.
            var queries = new RunQueries(RunStoreOptions.Sqlite(Path.Combine(home, "runs.db")));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Calls.InFile(calls, "slow") == 0 || !await FirstSucceededAsync())
            {
                Assert.True(DateTime.UtcNow < deadline, "the slow step never started:\n" + first.Output);
                await Task.Delay(50);
            }

            async Task<bool> FirstSucceededAsync() =>
                (await queries.SnapshotAsync(runId)).Steps.Any(s => s.NodeId == "first" && s.Status == StepStatus.Succeeded);

            first.Kill();
        }

        var interrupted = await new RunQueries(RunStoreOptions.Sqlite(Path.Combine(home, "runs.db"))).SnapshotAsync(runId);
        Assert.Equal(RunStatus.Running, interrupted.Run.Status);

        using (var second = TestHostProcess.Start(env, "resume", home, runId))
        {
            Assert.Equal("Succeeded", await second.WaitForLineAsync("STATUS ", TimeSpan.FromSeconds(90)));
        }

        var detail = await new RunQueries(RunStoreOptions.Sqlite(Path.Combine(home, "runs.db"))).DetailAsync(runId);
        Assert.Equal(1, Calls.InFile(calls, "first"));
        Assert.Equal(2, Calls.InFile(calls, "slow"));
        Assert.Equal(1, Calls.InFile(calls, "last"));
        Assert.Equal("""{"sum":4005}""", detail.Run.OutputsJson);
        var slow = detail.Step("slow");
        Assert.Equal(2, slow.Attempt);
        Assert.Contains(detail.EventsOf("slow"), e => e.Message!.Contains("attempt 1 was interrupted"));
        Assert.Equal(2, detail.EventsOf("slow").Select(e => e.Worker).Where(w => w is not null).Distinct().Count());
    }
}

public sealed class ClientProcessTests
{
    [Fact]
    public async Task A_client_next_to_a_running_worker_starts_and_cancels_runs_without_touching_its_steps()
    {
        var home = TestPaths.NewTempFolder();
        var calls = Path.Combine(home, "calls.txt");
        var workflow = Path.Combine(home, "wf.json");
        await File.WriteAllTextAsync(workflow, """
            { "id": "client", "nodes": [ { "id": "slow", "activity": "test.Sleep", "inputs": { "milliseconds": 6000, "key": "slow" } } ] }
            """);
        var env = new Dictionary<string, string> { ["CELLSEGFLOWS_TEST_CALLS"] = calls };
        using var worker = TestHostProcess.Start(env, "run", home, workflow);
        var first = await worker.WaitForLineAsync("RUN ", TimeSpan.FromSeconds(60));
        while (Calls.InFile(calls, "slow") == 0)
        {
            await Task.Delay(50);
        }

        // A client engine on the same home while the worker's step runs: it must not "recover" that step.
        // The step sleeps 6 s so that the client's start-up (about a second, more on a busy machine) ends well inside it.
        await using (var client = await WorkflowEngine.StartAsync(new EngineOptions { Home = home, ClientOnly = true }, EngineHarness.Registry()))
        {
            Assert.Equal(RunStatus.Running, (await client.Runs.SnapshotAsync(first)).Run.Status);
        }

        Assert.Equal("Succeeded", await worker.WaitForLineAsync("STATUS ", TimeSpan.FromSeconds(60)));
        Assert.Equal(1, Calls.InFile(calls, "slow"));
    }
}
