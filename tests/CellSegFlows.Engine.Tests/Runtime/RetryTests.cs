using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.TestHost;

namespace CellSegFlows.Engine.Tests.Runtime;

public sealed class RetryTests
{
    [Fact]
    public async Task Retry_from_the_failed_step_reruns_only_that_step_and_what_it_skipped_and_keeps_the_journal()
    {
        await using var h = await EngineHarness.StartAsync();
        var key = Guid.NewGuid().ToString("N");
        var counted = Guid.NewGuid().ToString("N");
        var failed = await h.RunAsync($$"""
            {
              "id": "retry-from-failed",
              "nodes": [
                { "id": "first", "activity": "test.Flaky", "inputs": { "key": "{{counted}}", "failures": 0 }, "cache": false },
                { "id": "flaky", "activity": "test.Flaky", "inputs": { "key": "{{key}}", "failures": 1 }, "cache": false },
                { "id": "after", "activity": "test.Constant", "inputs": { "value": "${nodes.flaky.attempt}" } },
                { "id": "last", "activity": "test.Add", "inputs": { "a": "${nodes.after.value}", "b": "${nodes.first.attempt}" } }
              ],
              "outputs": { "sum": "${nodes.last.sum}" }
            }
            """);
        Assert.Equal(RunStatus.Failed, failed.Run.Status);
        Assert.Equal(StepStatus.Skipped, failed.Nodes.Single(n => n.NodeId == "after").Status);

        Assert.True(await h.Engine.RetryRunAsync(failed.Run.Id, "tester"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = await h.Engine.WaitForRunAsync(failed.Run.Id, null, timeout.Token);
        var detail = await h.Engine.Runs.DetailAsync(run.Id);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Null(run.Error);
        Assert.Equal(1, Calls.Of(counted));                      // the succeeded step was not run again
        Assert.Equal(2, Calls.Of(key));                          // the failed one ran once more
        Assert.Equal(2, detail.Step("flaky").Attempt);           // attempt numbering continues
        Assert.Equal(3, System.Text.Json.Nodes.JsonNode.Parse(run.OutputsJson!)!["sum"]!.GetValue<long>());
        Assert.Contains(detail.EventsOf("flaky"), e => e.Message == "retry from the failed step requested by tester");
        Assert.Contains(detail.EventsOf("flaky"), e => e.Kind == "state" && e.Status == StepStatus.Failed);

        // A run that has not failed is left alone.
        Assert.False(await h.Engine.RetryRunAsync(run.Id));
    }
}
