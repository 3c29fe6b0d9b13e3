using System.Text.Json.Nodes;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Tests.Runtime;

/// <summary>References inside lists and objects: upstream outputs gathered into one list input, parameters into an object; typed by the validator.</summary>
public sealed class TemplateInputTests
{
    [Fact]
    public async Task Outputs_of_several_nodes_feed_one_list_input_and_an_object_holds_a_parameter()
    {
        await using var h = await EngineHarness.StartAsync();
        var run = await h.RunAsync("""
            {
              "id": "gather", "parameters": { "b": { "type": "int", "default": 5 } },
              "nodes": [
                { "id": "a", "activity": "test.Constant", "inputs": { "value": 2 } },
                { "id": "c", "activity": "test.Constant", "inputs": { "value": "${params.b}" } },
                { "id": "sum", "activity": "test.Sum", "inputs": { "values": ["${nodes.a.value}", 10, "${nodes.c.value}"] } }
              ],
              "outputs": { "total": "${nodes.sum.total}" }
            }
            """);
        Assert.True(run.Run.Status == RunStatus.Succeeded, run.Run.Error);
        Assert.Equal(17, JsonNode.Parse(run.Run.OutputsJson!)!["total"]!.GetValue<long>());
        Assert.Contains("[2,10,5]", run.Step("sum").InputsJson, StringComparison.Ordinal);
    }

    [Fact]
    public void The_validator_types_each_element_and_the_writer_keeps_the_references()
    {
        var definition = WorkflowDefinitionReader.Parse("""
            {
              "id": "gather",
              "nodes": [
                { "id": "a", "activity": "test.Constant", "inputs": { "value": 2 } },
                { "id": "sum", "activity": "test.Sum", "inputs": { "values": ["${nodes.a.value}", "ten", "${nodes.a.nope}", "$${literal}"] } }
              ],
              "outputs": { "total": "${nodes.sum.total}" }
            }
            """, "gather.json");
        var template = Assert.IsType<TemplateInput>(definition.Nodes[1].Inputs["values"]);
        Assert.Equal(2, template.References.Count);
        var problems = WorkflowValidator.Validate(definition, EngineHarness.Registry());
        Assert.Contains(problems, p => p.Field == "nodes[1].inputs.values[1]" && p.Message.Contains("element 1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Field.StartsWith("nodes[1].inputs.values[2]", StringComparison.Ordinal) && p.Message.Contains("nope", StringComparison.Ordinal));
        var written = WorkflowDefinitionWriter.ToJson(definition);
        Assert.Contains("\"${nodes.a.value}\"", written, StringComparison.Ordinal);
        Assert.Contains("\"$${literal}\"", written, StringComparison.Ordinal);
        Assert.Equal(DefinitionHash.Compute(definition), DefinitionHash.Compute(WorkflowDefinitionReader.Parse(written, "again.json")));
    }

    [Fact]
    public async Task A_map_over_a_literal_list_fans_out_over_its_elements()
    {
        await using var h = await EngineHarness.StartAsync();
        const string json = """
            {
              "id": "literal-map",
              "nodes": [
                { "id": "add", "activity": "test.Add", "map": { "over": [1, 2, 3], "as": "x" }, "inputs": { "a": "${x}", "b": 100 } },
                { "id": "sum", "activity": "test.Sum", "inputs": { "values": "${nodes.add.sum}" } }
              ],
              "outputs": { "total": "${nodes.sum.total}" }
            }
            """;
        var definition = WorkflowDefinitionReader.Parse(json, "literal-map.json");
        Assert.Empty(WorkflowValidator.Validate(definition, EngineHarness.Registry()));
        Assert.Equal("list<int>", Assert.IsType<LiteralList>(definition.Nodes[0].Map!.Over).Type.Name);
        Assert.Contains("\"over\":[1,2,3]", WorkflowDefinitionWriter.ToJson(definition).Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        var run = await h.RunAsync(json);
        Assert.True(run.Run.Status == RunStatus.Succeeded, run.Run.Error);
        Assert.Equal(306, JsonNode.Parse(run.Run.OutputsJson!)!["total"]!.GetValue<long>());

        var wrong = WorkflowDefinitionReader.Parse(json.Replace("[1, 2, 3]", "[\"one\", \"two\"]", StringComparison.Ordinal), "wrong.json");
        Assert.Contains(WorkflowValidator.Validate(wrong, EngineHarness.Registry()), p => p.Message.Contains("type mismatch", StringComparison.Ordinal));
    }
}
