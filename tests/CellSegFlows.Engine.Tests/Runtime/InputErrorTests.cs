using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.TestHost;
using Microsoft.Extensions.Logging.Abstractions;

namespace CellSegFlows.Engine.Tests.Runtime;

/// <summary>What is retried (faults) and what is not (a user's wrong input or data), and grid objects merged by the engine.</summary>
public sealed class InputErrorTests
{
    private static string Key() => Guid.NewGuid().ToString("N");

    private static string Throwing(string key, string kind, int failures = 1000) => $$"""
        { "id": "throw-{{kind}}", "nodes": [ { "id": "weights", "activity": "test.Throw", "inputs": { "key": "{{key}}", "kind": "{{kind}}", "failures": {{failures}} },
          "retry": { "attempts": 3, "delay": "10ms" } } ] }
        """;

    [Theory]
    [InlineData("""{ "id": "w", "nodes": [ { "id": "o", "activity": "test.Overridable", "inputs": { "grid": { "lable": "x", "count": "3" } } } ] }""",
        "nodes[0].inputs.grid.lable", "grid field 'lable' is not one of count, label, rate, tags",
        "nodes[0].inputs.grid.count", "type mismatch: grid field 'count' is int, but the value is the string \"3\"")]
    [InlineData("""{ "id": "w", "parameters": { "n": { "type": "int", "default": 2 } }, "nodes": [ { "id": "o", "activity": "test.Overridable", "inputs": { "grid": { "count": "${params.n}", "tags": [1] } } } ] }""",
        "nodes[0].inputs.grid.tags", "type mismatch: grid field 'tags' is list<string>, but element [0] is the number 1", null, null)]
    [InlineData("""{ "id": "w", "parameters": { "grid": { "type": "list<json>", "default": [ { "label": "a" }, { "rate": "fast" }, { "file": "x" } ] } }, "nodes": [ { "id": "o", "activity": "test.Overridable", "map": { "over": "${params.grid}", "as": "g" }, "inputs": { "grid": "${g}" } } ] }""",
        "parameters.grid.default[1].rate", "type mismatch: grid field 'rate' is number, but the value is the string \"fast\"",
        "parameters.grid.default[2].file", "grid field 'file' is not one of count, label, rate, tags")]
    public async Task A_grid_written_in_the_definition_is_checked_when_it_is_saved(string json, string field, string message, string? field2, string? message2)
    {
        var problems = WorkflowValidator.Validate(WorkflowDefinitionReader.Parse(json, "w.json"), EngineHarness.Registry());
        var expected = new List<(string, string)> { (field, message) };
        if (field2 is not null)
        {
            expected.Add((field2, message2!));
        }

        Assert.Equal(expected, problems.Select(p => (p.Field, p.Message)).ToList());
        await using var h = await EngineHarness.StartAsync();
        var refused = await Assert.ThrowsAsync<WorkflowDefinitionException>(() => h.Engine.StartRunAsync(json, "w.json", new Dictionary<string, string>()));
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_input_file_fails_after_one_attempt_with_one_line_although_the_node_allows_three()
    {
        await using var h = await EngineHarness.StartAsync();
        var key = Key();
        var run = await h.RunAsync(Throwing(key, "missing"));

        Assert.Equal(RunStatus.Failed, run.Run.Status);
        Assert.Equal(1, Calls.Of(key));
        var step = run.Step("weights");
        Assert.Equal(1, step.Attempt);
        Assert.Equal("attempt 1 failed: node 'weights', path file not found: /nonexistent/weights.pth", step.Error);
        Assert.Equal("weights: attempt 1 failed: node 'weights', path file not found: /nonexistent/weights.pth", run.Run.Error);
        Assert.DoesNotContain(run.EventsOf("weights"), e => e.Kind == "error" && e.Message!.Contains("retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_library_error_registered_as_bad_data_is_not_retried_either()
    {
        await using var h = await EngineHarness.StartAsync();
        var key = Key();
        var run = await h.RunAsync(Throwing(key, "data"));

        Assert.Equal(RunStatus.Failed, run.Run.Status);
        Assert.Equal(1, Calls.Of(key));
        Assert.Equal(1, run.Step("weights").Attempt);
        Assert.Equal("attempt 1 failed: node 'weights', /nonexistent/weights.pth: record 3: is not a polygon", run.Step("weights").Error);
    }

    [Fact]
    public async Task A_transient_fault_is_retried_even_when_its_cause_alone_would_not_be()
    {
        await using var h = await EngineHarness.StartAsync();
        var key = Key();
        var run = await h.RunAsync(Throwing(key, "transient", failures: 2));

        Assert.True(run.Run.Status == RunStatus.Succeeded, run.Run.Error);
        Assert.Equal(3, Calls.Of(key));
        Assert.Equal(3, run.Step("weights").Attempt);
        var errors = run.EventsOf("weights").Where(e => e.Kind == "error").ToList();
        Assert.Equal([1, 2], errors.Select(e => e.Attempt));
        Assert.All(errors, e => Assert.Contains("TransientActivityException: device busy", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_registry_knows_input_errors_but_never_a_transient_fault()
    {
        var registry = EngineHarness.Registry();
        Assert.True(registry.IsInputError(new ActivityInputException("x", "wrong")));
        Assert.True(registry.IsInputError(new BadDataException("bad")));
        Assert.False(registry.IsInputError(new TransientActivityException("busy")));
        Assert.False(registry.IsInputError(new IOException("disk")));
        Assert.False(new ActivityRegistry().IsInputError(new BadDataException("not registered here")));
    }

    [Fact]
    public async Task Each_grid_element_overrides_the_inputs_it_names_before_the_activity_binds_them()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.RunAsync("""
            { "id": "grid", "parameters": { "grid": { "type": "list<json>", "default": [
                { "label": "a", "rate": 0.25, "tags": ["x", "y"] }, { "count": 7, "label": null }, {} ] } },
              "nodes": [ { "id": "o", "activity": "test.Overridable", "map": { "over": "${params.grid}", "as": "g" },
                           "inputs": { "grid": "${g}", "label": "node", "count": 2 } } ],
              "outputs": { "all": "${nodes.o.label}" } }
            """);

        Assert.True(run.Run.Status == RunStatus.Succeeded, run.Run.Error);
        Assert.Equal("""{"label":"a","count":2,"rate":0.25,"tags":["x","y"],"sawGrid":false}""", run.Step("o[0]").OutputsJson);
        Assert.Equal("""{"label":"node","count":7,"rate":null,"tags":[],"sawGrid":false}""", run.Step("o[1]").OutputsJson);
        Assert.Equal("""{"label":"node","count":2,"rate":null,"tags":[],"sawGrid":false}""", run.Step("o[2]").OutputsJson);
    }

    [Theory]
    [InlineData("""{ "lable": "x" }""", "node 'o', grid field 'lable' is not one of count, label, rate, tags")]
    [InlineData("""{ "file": "model://m" }""", "node 'o', grid field 'file' is not one of count, label, rate, tags")]
    [InlineData("""{ "count": "3" }""", "node 'o', grid field 'count' is not of type int: the value is the string \"3\"")]
    [InlineData("""{ "count": 2.5 }""", "node 'o', grid field 'count' is not of type int: the value is the number 2.5")]
    [InlineData("""{ "tags": ["a", 1] }""", "node 'o', grid field 'tags' is not of type list<string>: element [1] is the number 1")]
    [InlineData("""[1]""", "node 'o', grid should be an object whose fields override other inputs, not an array")]
    public async Task A_wrong_grid_field_given_at_run_time_fails_the_step_before_any_attempt_naming_it_and_what_is_allowed(string grid, string expected)
    {
        // Given as a run's parameter value, the grid is known only when the step runs (a literal is refused at save: below).
        await using var h = await EngineHarness.StartAsync();
        var run = await h.RunAsync("""
            { "id": "bad-grid", "parameters": { "grid": { "type": "json" } },
              "nodes": [ { "id": "o", "activity": "test.Overridable", "inputs": { "grid": "${params.grid}" },
              "retry": { "attempts": 3, "delay": "10ms" } } ] }
            """, ("grid", grid));

        Assert.Equal(RunStatus.Failed, run.Run.Status);
        Assert.Equal(expected, run.Step("o").Error);
        Assert.Equal(1, run.EventsOf("o").Count(e => e.Kind == "state" && e.Status == StepStatus.Running));
    }

    [Fact]
    public async Task An_activity_run_by_hand_merges_its_grid_object_the_same_way()
    {
        IActivity activity = new OverridableActivity();
        var context = new ActivityContext
        {
            RunId = "run", StepId = "step", NodeId = "o", Attempt = 1, WorkFolder = TestPaths.NewTempFolder(), Artifacts = new Artifacts.LocalArtifactStore(TestPaths.NewTempFolder()),
            Progress = new Progress<StepProgress>(), Logger = NullLogger.Instance, CancellationToken = CancellationToken.None, Device = "cpu", ReportMetric = (_, _, _) => { },
        };

        var output = await activity.ExecuteAsync(new JsonObject { ["label"] = "node", ["grid"] = new JsonObject { ["count"] = 4 } }, context);
        Assert.Equal("""{"label":"node","count":4,"rate":null,"tags":[],"sawGrid":false}""", output.ToJsonString());
        var error = await Assert.ThrowsAsync<ActivityInputException>(() => activity.ExecuteAsync(new JsonObject { ["grid"] = new JsonObject { ["extra"] = 1 } }, context));
        Assert.Equal("grid field 'extra' is not one of count, label, rate, tags", error.Message);
        Assert.Equal("grid", error.Input);
        var unfit = await Assert.ThrowsAsync<ActivityInputException>(() => activity.ExecuteAsync(new JsonObject { ["count"] = 1e12 }, context));
        Assert.Equal("count", unfit.Input);
    }

    [Fact]
    public void The_descriptor_lists_what_a_grid_object_may_override_and_refuses_a_wrong_declaration()
    {
        var registry = EngineHarness.Registry();
        var descriptor = registry.Find("test.Overridable")!;
        Assert.Equal("grid", descriptor.Overrides!.Input);
        Assert.Equal(["label", "count", "rate", "tags"], descriptor.Overrides.Fields);
        Assert.Equal("A grid entry; its fields override these inputs: label, count, rate, tags.", descriptor.Inputs.Single(p => p.Name == "grid").Description);
        var json = registry.ToJson().Single(a => a!["activity"]!.GetValue<string>() == "test.Overridable")!;
        Assert.Equal("""{"input":"grid","fields":["label","count","rate","tags"]}""", json["overrides"]!.ToJsonString());
        Assert.Null(registry.ToJson().Single(a => a!["activity"]!.GetValue<string>() == "test.Add")!["overrides"]);
        Assert.Contains("OverridesInput 'count' is not a json input", Assert.Throws<ArgumentException>(() => new ActivityRegistry().Add(typeof(BadOverride))).Message, StringComparison.Ordinal);
    }

    [Activity("test.BadOverride", OverridesInput = "count")]
    private sealed class BadOverride : Activity<BadOverride.Input, BadOverride.Output>
    {
        public sealed record Input(long Count);

        public sealed record Output(long Count);

        protected override Task<Output> ExecuteAsync(Input input, ActivityContext context) => Task.FromResult(new Output(input.Count));
    }
}
