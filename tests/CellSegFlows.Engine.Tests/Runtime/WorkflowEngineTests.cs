using System.Text.Json.Nodes;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.TestHost;

namespace CellSegFlows.Engine.Tests.Runtime;

public sealed class WorkflowEngineTests
{
    private static string Key() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Map_fans_out_per_element_and_the_join_sees_every_branch_in_order()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.RunAsync("""
            {
              "id": "fan", "parameters": { "xs": { "type": "list<int>", "default": [1, 2, 3] } },
              "nodes": [
                { "id": "add", "activity": "test.Add", "map": { "over": "${params.xs}", "as": "x" }, "inputs": { "a": "${x}", "b": 10 } },
                { "id": "sum", "activity": "test.Sum", "inputs": { "values": "${nodes.add.sum}" } }
              ],
              "outputs": { "total": "${nodes.sum.total}", "each": "${nodes.add.sum}" }
            }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Run.Status);
        var outputs = JsonNode.Parse(run.Run.OutputsJson!)!;
        Assert.Equal(36, outputs["total"]!.GetValue<long>());
        Assert.Equal("[11,12,13]", outputs["each"]!.ToJsonString());
        Assert.Equal(["add[0]", "add[1]", "add[2]", "sum"], run.Steps.Select(s => s.Id[(run.Run.Id.Length + 1)..]).Order(StringComparer.Ordinal));
        Assert.Single(run.Metrics, m => m.Name == "total" && m.Value == 36);
    }

    [Fact]
    public async Task Map_over_an_upstream_list_and_an_empty_list_both_complete()
    {
        await using var h = await EngineHarness.StartAsync();
        var json = """
            {
              "id": "range", "parameters": { "n": { "type": "int", "default": 4 } },
              "nodes": [
                { "id": "range", "activity": "test.Range", "inputs": { "count": "${params.n}" } },
                { "id": "square", "activity": "test.Add", "map": { "over": "${nodes.range.values}" }, "inputs": { "a": "${item}", "b": "${item}" } },
                { "id": "sum", "activity": "test.Sum", "inputs": { "values": "${nodes.square.sum}" } }
              ],
              "outputs": { "total": "${nodes.sum.total}" }
            }
            """;
        var four = await h.RunAsync(json);
        Assert.Equal(20, JsonNode.Parse(four.Run.OutputsJson!)!["total"]!.GetValue<long>());

        var none = await h.RunAsync(json, ("n", "0"));
        Assert.Equal(RunStatus.Succeeded, none.Run.Status);
        Assert.Equal(0, JsonNode.Parse(none.Run.OutputsJson!)!["total"]!.GetValue<long>());
    }

    [Fact]
    public async Task Transient_failures_are_retried_with_every_attempt_in_the_journal()
    {
        await using var h = await EngineHarness.StartAsync();
        var key = Key();
        var run = await h.RunAsync($$"""
            { "id": "retry", "nodes": [ { "id": "flaky", "activity": "test.Flaky", "inputs": { "key": "{{key}}", "failures": 2 },
              "retry": { "attempts": 3, "delay": "10ms" } } ] }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Run.Status);
        var step = run.Step("flaky");
        Assert.Equal(3, step.Attempt);
        Assert.Equal(3, JsonNode.Parse(step.OutputsJson!)!["attempt"]!.GetValue<int>());
        var errors = run.EventsOf("flaky").Where(e => e.Kind == "error").ToList();
        Assert.Equal([1, 2], errors.Select(e => e.Attempt));
        Assert.All(errors, e => Assert.Contains("IOException: transient failure", e.Message));
        Assert.Contains(run.EventsOf("flaky"), e => e.Kind == "log" && e.Message!.Contains("succeeded on call 3"));
        Assert.Equal(3, run.EventsOf("flaky").Count(e => e.Kind == "state" && e.Status == StepStatus.Running));
    }

    [Fact]
    public async Task A_failure_skips_what_depends_on_it_lets_independent_work_finish_and_fails_the_run_with_the_first_cause()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.RunAsync("""
            {
              "id": "fail",
              "nodes": [
                { "id": "bad", "activity": "test.Fail", "inputs": { "message": "the data is broken" } },
                { "id": "after", "activity": "test.Constant", "inputs": { "value": "${nodes.bad.value}" } },
                { "id": "later", "activity": "test.Constant", "inputs": { "value": "${nodes.after.value}" } },
                { "id": "other", "activity": "test.Sleep", "inputs": { "milliseconds": 300 } }
              ]
            }
            """);

        Assert.Equal(RunStatus.Failed, run.Run.Status);
        Assert.StartsWith("bad: attempt 1 failed: InvalidOperationException: the data is broken ← caused by: FormatException: the inner cause", run.Run.Error);
        Assert.Equal(StepStatus.Failed, run.Step("bad").Status);
        Assert.Equal(StepStatus.Succeeded, run.Step("other").Status);
        Assert.Equal(StepStatus.Skipped, run.Nodes.Single(n => n.NodeId == "after").Status);
        Assert.Equal(StepStatus.Skipped, run.Nodes.Single(n => n.NodeId == "later").Status);
        Assert.DoesNotContain(run.Steps, s => s.NodeId is "after" or "later");
    }

    [Fact]
    public async Task A_step_past_its_timeout_fails_with_a_timeout_error()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.RunAsync("""
            { "id": "slow", "nodes": [ { "id": "sleep", "activity": "test.Sleep", "inputs": { "milliseconds": 20000 }, "timeout": "300ms" } ] }
            """);

        Assert.Equal(RunStatus.Failed, run.Run.Status);
        Assert.Contains("TimeoutException: attempt 1 exceeded the node's timeout of 00:00:00.3000000", run.Step("sleep").Error);
        Assert.True(run.Step("sleep").FinishedAt - run.Step("sleep").StartedAt < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Cancelling_a_run_stops_the_running_step_and_cancels_what_waits()
    {
        await using var h = await EngineHarness.StartAsync();
        var runId = await h.Engine.StartRunAsync("""
            { "id": "cancel", "nodes": [
                { "id": "sleep", "activity": "test.Sleep", "inputs": { "milliseconds": 30000 } },
                { "id": "next", "activity": "test.Constant", "inputs": { "value": "${nodes.sleep.slept}", "key": "${params.k}" } } ],
              "parameters": { "k": { "type": "string", "default": "never" } } }
            """, "cancel.json", new Dictionary<string, string>());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await h.Engine.Runs.SnapshotAsync(runId, timeout.Token)).Steps.All(s => s.Status != StepStatus.Running))
        {
            await Task.Delay(50, timeout.Token);
        }

        Assert.True(await h.Engine.CancelRunAsync(runId, "test"));
        var final = await h.Engine.WaitForRunAsync(runId, null, timeout.Token);
        var detail = await h.Engine.Runs.DetailAsync(runId);

        Assert.True(final.Status == RunStatus.Cancelled, string.Join("\n", detail.Events.Select(e => $"{e.StepId} {e.Kind} {e.Status} {e.Message}")));
        var journal = string.Join("\n", detail.Events.Select(e => $"{e.StepId} {e.Kind} {e.Status} {e.Message}"));
        Assert.True(detail.Step("sleep").Status == StepStatus.Cancelled, journal);
        Assert.Equal(StepStatus.Cancelled, detail.Nodes.Single(n => n.NodeId == "next").Status);
        Assert.False(await h.Engine.CancelRunAsync(runId), "a finished run cannot be cancelled again");
    }

    [Fact]
    public async Task Second_identical_run_is_answered_from_the_cache_and_a_changed_input_misses()
    {
        await using var h = await EngineHarness.StartAsync();
        var key = Key();
        var json = $$"""
            { "id": "cache", "parameters": { "text": { "type": "string", "default": "hello" } },
              "nodes": [
                { "id": "write", "activity": "test.WriteText", "inputs": { "text": "${params.text}", "key": "w{{key}}" } },
                { "id": "read", "activity": "test.ReadText", "inputs": { "file": "${nodes.write.file}", "key": "r{{key}}" } } ],
              "outputs": { "text": "${nodes.read.text}" } }
            """;
        var first = await h.RunAsync(json);
        var second = await h.RunAsync(json);
        var third = await h.RunAsync(json, ("text", "other"));

        Assert.Equal("hello", JsonNode.Parse(second.Run.OutputsJson!)!["text"]!.GetValue<string>());
        Assert.Equal([StepStatus.Succeeded, StepStatus.Succeeded], first.Steps.Select(s => s.Status));
        Assert.Equal([StepStatus.Cached, StepStatus.Cached], second.Steps.Select(s => s.Status));
        Assert.Contains(second.EventsOf("write"), e => e.Status == StepStatus.Cached && e.Message!.Contains($"outputs of step {first.Run.Id}/write"));
        Assert.Equal([StepStatus.Succeeded, StepStatus.Succeeded], third.Steps.Select(s => s.Status));
        Assert.Equal(2, Calls.Of("w" + key));
        Assert.Equal(2, Calls.Of("r" + key));
    }

    [Fact]
    public async Task Artifacts_are_content_addressed_and_recorded_with_the_step_that_made_them()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.RunAsync("""
            { "id": "art", "nodes": [
                { "id": "write", "activity": "test.WriteText", "inputs": { "text": "cells", "key": "art" }, "cache": false },
                { "id": "read", "activity": "test.ReadText", "inputs": { "file": "${nodes.write.file}" } } ],
              "outputs": { "text": "${nodes.read.text}" } }
            """);

        var artifact = Assert.Single(run.Artifacts);
        Assert.Equal($"{run.Run.Id}/write", artifact.StepId);
        Assert.Equal(5, artifact.Size);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("cells"u8.ToArray())), artifact.Hash);
        Assert.Equal("cells", JsonNode.Parse(run.Run.OutputsJson!)!["text"]!.GetValue<string>());
        Assert.True(h.Engine.Artifacts.Contains(artifact.Hash));
    }

    [Fact]
    public async Task Invalid_definitions_and_parameters_are_refused_before_anything_runs()
    {
        await using var h = await EngineHarness.StartAsync();
        var ex = await Assert.ThrowsAsync<WorkflowDefinitionException>(() => h.Engine.StartRunAsync("""
            { "id": "bad", "parameters": { "n": { "type": "int", "default": 1 } },
              "nodes": [ { "id": "a", "activity": "test.Nope", "inputs": {} },
                         { "id": "b", "activity": "test.Add", "inputs": { "a": "text", "c": 1 } } ] }
            """, "bad.json", new Dictionary<string, string> { ["n"] = "many" }));

        Assert.Contains(ex.Problems, p => p.NodeId == "a" && p.Message.Contains("test.Nope"));
        Assert.Contains(ex.Problems, p => p.NodeId == "b" && p.Field.EndsWith("inputs.a", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.NodeId == "b" && p.Field.EndsWith("inputs.c", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Field.Contains('n') && p.Message.Contains("many"));
        Assert.Empty(await h.Engine.Runs.ListAsync());
    }

    [Fact]
    public async Task A_run_records_the_exact_definition_version_it_ran()
    {
        await using var h = await EngineHarness.StartAsync();
        const string json = """{ "id": "ver", "version": 3, "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": 7 } } ] }""";
        var run = await h.RunAsync(json);
        Assert.Equal(DefinitionHash.Compute(WorkflowDefinitionReader.Parse(json, "v")), run.Run.DefinitionHash);
        await using var db = h.Engine.Options.RunStore?.CreateContext() ?? RunStoreOptions.Sqlite(Path.Combine(h.Home, "runs.db")).CreateContext();
        var saved = await db.Definitions.FindAsync(run.Run.DefinitionHash);
        Assert.Equal(json, saved!.Json);
        Assert.Equal(3, saved.VersionLabel);
    }
}
