using System.Text.Json.Nodes;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Tests.Runtime;

/// <summary>Definitions and maps are bounded before work starts (EngineOptions.Limits).</summary>
public sealed class LimitsTests
{
    private static string Nodes(int count)
    {
        var nodes = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(new JsonObject { ["id"] = $"n{i}", ["activity"] = "test.Constant", ["inputs"] = new JsonObject { ["value"] = i } });
        }

        return new JsonObject { ["id"] = "wide", ["nodes"] = nodes }.ToJsonString();
    }

    [Fact]
    public void A_definition_over_the_node_limit_is_one_problem_and_is_checked_no_further()
    {
        var definition = WorkflowDefinitionReader.Parse(Nodes(501), "wide.json");
        var problem = Assert.Single(WorkflowValidator.Validate(definition, EngineHarness.Registry()));
        Assert.Equal("the definition has 501 nodes; the limit is 500", problem.Message);
        Assert.Empty(WorkflowValidator.Validate(WorkflowDefinitionReader.Parse(Nodes(500), "wide.json"), EngineHarness.Registry()));
        Assert.Single(WorkflowValidator.Validate(WorkflowDefinitionReader.Parse(Nodes(11), "wide.json"), EngineHarness.Registry(), new WorkflowLimits { MaxNodes = 10 }));
    }

    [Fact]
    public async Task A_run_over_the_node_limit_is_refused_before_it_starts()
    {
        await using var h = await EngineHarness.StartAsync(configure: o => o with { Limits = new WorkflowLimits { MaxNodes = 3 } });
        var error = await Assert.ThrowsAsync<WorkflowDefinitionException>(() => h.Engine.StartRunAsync(Nodes(4), "wide.json", new Dictionary<string, string>()));
        Assert.Contains("the limit is 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_map_over_more_elements_than_the_limit_fails_before_any_element_runs_also_after_a_cached_parent()
    {
        await using var h = await EngineHarness.StartAsync(configure: o => o with { Limits = new WorkflowLimits { MaxMapElements = 5 } });
        const string json = """
            {
              "id": "big-map", "parameters": { "xs": { "type": "list<int>", "default": [1] } },
              "nodes": [
                { "id": "range", "activity": "test.Constant", "inputs": { "value": 1 } },
                { "id": "add", "activity": "test.Add", "map": { "over": "${params.xs}", "as": "x" }, "inputs": { "a": "${x}", "b": "${nodes.range.value}" } }
              ]
            }
            """;
        var ok = await h.RunAsync(json, ("xs", "[1,2,3,4,5]"));
        Assert.Equal(RunStatus.Succeeded, ok.Run.Status);
        var over = await h.RunAsync(json, ("xs", "[1,2,3,4,5,6]"));
        Assert.Equal(RunStatus.Failed, over.Run.Status);
        Assert.Contains("node add: map.over has 6 elements; the limit is 5", over.Run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(over.Steps, s => s.NodeId == "add");
        Assert.Equal(StepStatus.Failed, over.Step("range").Status);   // its completion (from the cache: same inputs as the first run) released the map
    }
}
