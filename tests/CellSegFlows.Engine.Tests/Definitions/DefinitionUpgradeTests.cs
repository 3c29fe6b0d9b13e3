using System.Text.Json.Nodes;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Runtime;

namespace CellSegFlows.Engine.Tests.Definitions;

/// <summary>A renamed port keeps old definitions running for one version, with a warning naming what to change.</summary>
public sealed class DefinitionUpgradeTests
{
    private const string Old = """
        {
          "id": "old-names",
          "nodes": [
            { "id": "count", "activity": "test.Renamed", "inputs": { "steps": 4 } },
            { "id": "after", "activity": "test.Constant", "inputs": { "value": "${nodes.count.sum}" } }
          ],
          "outputs": { "total": "${nodes.count.sum}", "also": "${nodes.after.value}" }
        }
        """;

    [Fact]
    public void Former_input_and_output_names_are_upgraded_with_one_warning_each()
    {
        var upgraded = DefinitionUpgrade.Apply(Old, EngineHarness.Registry());
        Assert.Equal(3, upgraded.Warnings.Count);
        Assert.Equal("nodes[0].inputs.steps (node 'count'): input 'steps' of test.Renamed is now 'iterations': the old name is accepted until the next version", upgraded.Warnings[0].ToString());
        Assert.Contains(upgraded.Warnings, w => w.Message == "output 'sum' of node 'count' is now 'total': ${nodes.count.sum} is accepted until the next version" && w.Field == "nodes[1].inputs.value");
        var json = JsonNode.Parse(upgraded.Json)!;
        Assert.Equal(4, json["nodes"]![0]!["inputs"]!["iterations"]!.GetValue<int>());
        Assert.Null(json["nodes"]![0]!["inputs"]!["steps"]);
        Assert.Equal("${nodes.count.total}", json["outputs"]!["total"]!.GetValue<string>());
        Assert.Empty(WorkflowValidator.Validate(WorkflowDefinitionReader.Parse(upgraded.Json, "old.json"), EngineHarness.Registry()));

        // Current names: untouched, byte for byte (so line numbers in errors stay true).
        var current = Old.Replace("\"steps\"", "\"iterations\"", StringComparison.Ordinal).Replace("count.sum", "count.total", StringComparison.Ordinal);
        var same = DefinitionUpgrade.Apply(current, EngineHarness.Registry());
        Assert.Empty(same.Warnings);
        Assert.Same(current, same.Json);

        // Both spellings given: the new one wins and the old one is named as ignored.
        var both = DefinitionUpgrade.Apply(current.Replace("\"iterations\": 4", "\"iterations\": 4, \"steps\": 9", StringComparison.Ordinal), EngineHarness.Registry());
        Assert.Equal("deprecated input 'steps' is ignored: 'iterations' (its new name) is also given", Assert.Single(both.Warnings).Message);
        Assert.Equal(4, JsonNode.Parse(both.Json)!["nodes"]![0]!["inputs"]!["iterations"]!.GetValue<int>());

        // Not JSON: left for the reader to report.
        Assert.Same("{ nope", DefinitionUpgrade.Apply("{ nope", EngineHarness.Registry()).Json);
    }

    [Fact]
    public async Task A_definition_in_the_old_spelling_runs_and_is_stored_in_the_new_one()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.RunAsync(Old);
        Assert.Equal(RunStatus.Succeeded, run.Run.Status);
        Assert.Equal(8, JsonNode.Parse(run.Run.OutputsJson!)!["total"]!.GetValue<int>());
        await using var db = h.Engine.Store.CreateContext();
        var stored = db.Definitions.Single(d => d.Hash == run.Run.DefinitionHash);
        Assert.Contains("\"iterations\"", stored.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"steps\"", stored.Json, StringComparison.Ordinal);
    }
}

/// <summary>A renamed workflow parameter keeps its old name for one version.</summary>
public sealed class ParameterFormerNameTests
{
    private const string Workflow = """
        { "id": "renamed-param",
          "parameters": { "iterationsPerEpoch": { "type": "int", "default": 1, "formerNames": ["stepsPerEpoch"] } },
          "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": "${params.iterationsPerEpoch}" } } ] }
        """;

    [Fact]
    public void A_value_under_the_former_name_binds_the_parameter_with_a_warning_and_the_new_name_wins()
    {
        var definition = WorkflowDefinitionReader.Parse(Workflow, "w.json");
        var old = WorkflowValidator.Bind(definition, new Dictionary<string, string> { ["stepsPerEpoch"] = "7" });
        Assert.True(old.IsValid);
        Assert.Equal(7, old.Values["iterationsPerEpoch"]!.GetValue<long>());
        Assert.Equal("parameter 'stepsPerEpoch' is now 'iterationsPerEpoch': --param stepsPerEpoch=… is accepted until the next version", Assert.Single(old.Warnings).Message);

        var both = WorkflowValidator.Bind(definition, new Dictionary<string, string> { ["stepsPerEpoch"] = "7", ["iterationsPerEpoch"] = "9" });
        Assert.Equal(9, both.Values["iterationsPerEpoch"]!.GetValue<long>());
        Assert.Contains("is ignored", Assert.Single(both.Warnings).Message, StringComparison.Ordinal);

        // Written back in normal form with its former names, so the version keeps them.
        Assert.Contains("\"formerNames\"", WorkflowDefinitionWriter.ToJson(definition), StringComparison.Ordinal);
    }

    [Fact]
    public void A_former_name_that_is_another_parameter_is_refused_naming_it()
    {
        var json = Workflow.Replace("\"parameters\": {", "\"parameters\": { \"stepsPerEpoch\": { \"type\": \"int\", \"default\": 2 },", StringComparison.Ordinal);
        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowDefinitionReader.Parse(json, "w.json"));
        Assert.Contains(error.Problems, p => p.Message == "'stepsPerEpoch' is already a parameter or another parameter's former name");
    }
}
