using System.Collections.ObjectModel;
using CellSegFlows.Engine.Definitions;
using static CellSegFlows.Engine.Tests.Definitions.Defs;

namespace CellSegFlows.Engine.Tests.Definitions;

public class ValidatorTests
{
    private const string Hello = """
        {
          "id": "hello",
          "parameters": {
            "names": { "type": "string", "default": "Ada,Grace" },
            "excited": { "type": "bool", "default": false }
          },
          "nodes": [
            { "id": "split", "activity": "text.split", "inputs": { "text": "${params.names}" } },
            { "id": "greet", "activity": "text.greet", "map": { "over": "${nodes.split.parts}", "as": "name" },
              "inputs": { "name": "${name}", "excited": "${params.excited}", "times": 2 } },
            { "id": "join", "activity": "text.join", "inputs": { "parts": "${nodes.greet.greeting}", "separator": "\n" } }
          ],
          "outputs": { "text": "${nodes.join.text}" }
        }
        """;

    [Fact]
    public void A_sound_workflow_with_fan_out_and_fan_in_has_no_problems() =>
        Assert.Empty(Validate(Hello));

    [Fact]
    public void Unknown_activity_is_reported_at_the_activity_field()
    {
        var problems = Validate("""
            { "id": "w", "nodes": [ { "id": "a", "activity": "text.shout", "inputs": { "text": "${params.nope}" } } ] }
            """);

        Single(problems, "a", "nodes[0].activity", "unknown activity 'text.shout'");
        // The references of a node with an unknown activity are still checked.
        Single(problems, "a", "nodes[0].inputs.text", "unknown parameter 'nope'");
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void Unknown_and_missing_inputs_name_the_ports()
    {
        var problems = Validate("""
            { "id": "w", "nodes": [ { "id": "g", "activity": "text.greet", "inputs": { "nmae": "Ada" } } ] }
            """);

        Single(problems, "g", "nodes[0].inputs.nmae", "unknown input 'nmae': activity 'text.greet' has inputs: name, times, excited");
        Single(problems, "g", "nodes[0].inputs.name", "missing required input 'name' (string) of activity 'text.greet'");
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void Literal_of_the_wrong_json_kind_is_a_type_mismatch()
    {
        var problems = Validate("""
            { "id": "w", "nodes": [
              { "id": "g", "activity": "text.greet", "inputs": { "name": 42, "times": 2.5, "excited": "yes" } },
              { "id": "j", "activity": "text.join", "inputs": { "parts": ["a", 1] } },
              { "id": "r", "activity": "math.range", "inputs": { "count": 1e2 } },
              { "id": "s", "activity": "math.scale", "inputs": { "value": 3, "factor": -0.5 } },
              { "id": "i", "activity": "data.inspect", "inputs": { "data": [1, "two", { "three": null }] } },
              { "id": "c", "activity": "files.checksum", "inputs": { "file": "inputs/image.tif" } }
            ] }
            """);

        Single(problems, "g", "nodes[0].inputs.name", "type mismatch: input 'name' is string, but the value is the number 42");
        Single(problems, "g", "nodes[0].inputs.times", "type mismatch: input 'times' is int, but the value is the number 2.5");
        Single(problems, "g", "nodes[0].inputs.excited", "type mismatch: input 'excited' is bool, but the value is the string \"yes\"");
        Single(problems, "j", "nodes[1].inputs.parts", "type mismatch: input 'parts' is list<string>, but element [1] is the number 1");
        Single(problems, "r", "nodes[2].inputs.count", "type mismatch: input 'count' is int, but the value is the number 1e2");
        // An artifact comes from upstream; the one literal it takes is a model reference (a path would never bind).
        Single(problems, "c", "nodes[5].inputs.file",
            "type mismatch: input 'file' is artifact, but the value is the string \"inputs/image.tif\" (an artifact comes from an upstream output, ${nodes.N.OUTPUT}, or from the model registry: "
            + Engine.Registry.ModelReference.Form + ")");
        // int into number and anything into json are fine.
        Assert.Equal(6, problems.Count);
    }

    [Fact]
    public void Parameter_and_upstream_types_must_fit_the_input()
    {
        var problems = Validate("""
            { "id": "w",
              "parameters": { "count": { "type": "int", "default": 3 }, "label": { "type": "string", "default": "x" } },
              "nodes": [
                { "id": "range", "activity": "math.range", "inputs": { "count": "${params.label}" } },
                { "id": "scale", "activity": "math.scale", "inputs": { "value": "${params.count}" } },
                { "id": "greet", "activity": "text.greet", "inputs": { "name": "${nodes.scale.result}", "times": "${nodes.scale.rounded}" } },
                { "id": "look", "activity": "data.inspect", "inputs": { "data": "${nodes.range.values}" } }
              ] }
            """);

        Single(problems, "range", "nodes[0].inputs.count", "type mismatch: input 'count' is int, but ${params.label} is string");
        Single(problems, "greet", "nodes[2].inputs.name", "type mismatch: input 'name' is string, but ${nodes.scale.result} is number");
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void Outputs_of_a_mapped_node_are_lists_outside_it()
    {
        var problems = Validate("""
            { "id": "w", "parameters": { "names": { "type": "list<string>", "default": ["a"] } },
              "nodes": [
                { "id": "greet", "activity": "text.greet", "map": { "over": "${params.names}" }, "inputs": { "name": "${item}" } },
                { "id": "join", "activity": "text.join", "inputs": { "parts": "${nodes.greet.greeting}" } },
                { "id": "again", "activity": "text.greet", "inputs": { "name": "${nodes.greet.greeting}" } }
              ] }
            """);

        var problem = Single(problems, "again", "nodes[2].inputs.name",
            "type mismatch: input 'name' is string, but ${nodes.greet.greeting} is list<string> (node 'greet' is mapped");
        Assert.Contains("map this node over ${nodes.greet.greeting}", problem.Message, StringComparison.Ordinal);
        Assert.Single(problems);
    }

    [Fact]
    public void The_map_element_has_the_element_type_of_the_list()
    {
        var problems = Validate("""
            { "id": "w", "nodes": [
              { "id": "range", "activity": "math.range", "inputs": { "count": 4 } },
              { "id": "scale", "activity": "math.scale", "map": { "over": "${nodes.range.values}", "as": "n" }, "inputs": { "value": "${n}" } },
              { "id": "greet", "activity": "text.greet", "map": { "over": "${nodes.range.values}" }, "inputs": { "name": "${item}" } },
              { "id": "rescale", "activity": "math.scale", "map": { "over": "${nodes.scale.result}" }, "inputs": { "value": "${item}" } }
            ] }
            """);

        Single(problems, "greet", "nodes[2].inputs.name", "type mismatch: input 'name' is string, but ${item} is int");
        Assert.Single(problems);
    }

    [Fact]
    public void Map_over_must_be_a_list()
    {
        var problems = Validate("""
            { "id": "w", "parameters": { "count": { "type": "int", "default": 2 }, "any": { "type": "json", "default": [1] } },
              "nodes": [
                { "id": "a", "activity": "math.scale", "map": { "over": "${params.count}" }, "inputs": { "value": "${item}" } },
                { "id": "b", "activity": "math.scale", "map": { "over": "${params.any}" }, "inputs": { "value": 1 } }
              ] }
            """);

        Single(problems, "a", "nodes[0].map.over", "map.over must be a list, but ${params.count} is int");
        Single(problems, "b", "nodes[1].map.over", "map.over must be a list, but ${params.any} is json");
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void Bad_references_name_what_is_missing()
    {
        var problems = Validate("""
            { "id": "w", "parameters": { "text": { "type": "string", "default": "a b" } },
              "nodes": [
                { "id": "split", "activity": "text.split", "inputs": { "text": "${params.txt}" } },
                { "id": "join", "activity": "text.join", "inputs": { "parts": "${nodes.spilt.parts}", "separator": "${nodes.split.pieces}" } },
                { "id": "greet", "activity": "text.greet", "inputs": { "name": "${item}", "times": "${nodes.greet.greeting}" } },
                { "id": "each", "activity": "text.greet", "map": { "over": "${item}" }, "inputs": { "name": "x" } },
                { "id": "tiles", "activity": "text.greet", "map": { "over": "${nodes.split.parts}", "as": "tile" }, "inputs": { "name": "${item}" } }
              ],
              "outputs": { "a": "${nodes.join.text}", "b": "${item}", "c": "${params.nope}", "d": "${nodes.greet.greeting}", "e": "${nodes.each.greeting}", "f": "${nodes.tiles.greeting}" } }
            """);

        Single(problems, "split", "nodes[0].inputs.text", "bad reference ${params.txt}: unknown parameter 'txt' (parameters: text)");
        Single(problems, "join", "nodes[1].inputs.parts", "bad reference ${nodes.spilt.parts}: unknown node 'spilt'");
        Single(problems, "join", "nodes[1].inputs.separator", "bad reference ${nodes.split.pieces}: node 'split' (activity 'text.split') has no output 'pieces'; it has outputs: parts");
        Single(problems, "greet", "nodes[2].inputs.name", "bad reference ${item}: ${item} is only valid in a mapped node's inputs, and node 'greet' has no map");
        Single(problems, "greet", "nodes[2].inputs.times", "bad reference ${nodes.greet.greeting}: a node cannot use its own output");
        Single(problems, "each", "nodes[3].map.over", "bad reference ${item}: the map element is only valid in a mapped node's inputs");
        Single(problems, "tiles", "nodes[4].inputs.name", "bad reference ${item}: this node's map calls its element 'tile' (${tile})");
        Single(problems, null, "outputs.b", "bad reference ${item}: the map element is only valid in a mapped node's inputs");
        Single(problems, null, "outputs.c", "bad reference ${params.nope}: unknown parameter 'nope'");
        Assert.Equal(9, problems.Count);
    }

    [Fact]
    public void A_cycle_is_named_in_order_at_the_reference_that_closes_it()
    {
        var problems = Validate("""
            { "id": "w", "nodes": [
              { "id": "start", "activity": "text.split", "inputs": { "text": "a,b" } },
              { "id": "a", "activity": "text.join", "inputs": { "parts": "${nodes.start.parts}", "separator": "${nodes.c.text}" } },
              { "id": "b", "activity": "text.split", "inputs": { "text": "${nodes.a.text}" } },
              { "id": "c", "activity": "text.join", "inputs": { "parts": "${nodes.b.parts}" } },
              { "id": "x", "activity": "text.join", "inputs": { "parts": "${nodes.y.greeting}" } },
              { "id": "y", "activity": "text.greet", "map": { "over": "${nodes.z.parts}" }, "inputs": { "name": "${item}" } },
              { "id": "z", "activity": "text.split", "inputs": { "text": "${nodes.x.text}" } }
            ] }
            """);

        var first = Single(problems, "a", "nodes[1].inputs.separator", "cycle: a → b → c → a");
        Assert.Equal("cycle: a → b → c → a", first.Message);
        // map.over is a dependency too: y runs over z's parts.
        Single(problems, "x", "nodes[4].inputs.parts", "cycle: x → z → y → x");
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void Nodes_that_feed_no_declared_output_are_unreachable()
    {
        var problems = Validate("""
            { "id": "w", "nodes": [
              { "id": "split", "activity": "text.split", "inputs": { "text": "a,b" } },
              { "id": "join", "activity": "text.join", "inputs": { "parts": "${nodes.split.parts}" } },
              { "id": "orphan", "activity": "text.split", "inputs": { "text": "c" } },
              { "id": "side", "activity": "text.join", "inputs": { "parts": "${nodes.orphan.parts}" } }
            ],
            "outputs": { "text": "${nodes.join.text}" } }
            """);

        Single(problems, "orphan", "nodes[2]", "unreachable: node 'orphan' contributes to no output");
        Single(problems, "side", "nodes[3]", "unreachable: node 'side' contributes to no output");
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void Without_declared_outputs_no_node_is_unreachable() =>
        Assert.Empty(Validate("""
            { "id": "w", "nodes": [
              { "id": "a", "activity": "text.split", "inputs": { "text": "a" } },
              { "id": "b", "activity": "text.split", "inputs": { "text": "b" } }
            ] }
            """));

    [Fact]
    public void Parameter_defaults_must_match_their_type()
    {
        var problems = Validate("""
            { "id": "w", "parameters": {
                "count": { "type": "int", "default": "three" },
                "sizes": { "type": "list<int>", "default": [1, 2.5] },
                "ratio": { "type": "number", "default": 1 },
                "meta": { "type": "json", "default": { "a": [1] } }
              },
              "nodes": [ { "id": "a", "activity": "text.split", "inputs": { "text": "x" } } ] }
            """);

        Single(problems, null, "parameters.count.default", "bad parameter value: parameter 'count' is int, but the default is the string \"three\"");
        Single(problems, null, "parameters.sizes.default", "bad parameter value: parameter 'sizes' is list<int>, but in the default, element [1] is the number 2.5");
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void Many_kinds_of_problem_are_listed_together()
    {
        var problems = Validate("""
            { "id": "w",
              "parameters": { "n": { "type": "int", "default": true } },
              "nodes": [
                { "id": "a", "activity": "math.range", "inputs": { "count": "${params.n}", "step": 2 } },
                { "id": "b", "activity": "nope" },
                { "id": "c", "activity": "text.join", "inputs": { "parts": "${nodes.a.values}" } },
                { "id": "d", "activity": "text.greet", "inputs": { "name": "${nodes.d.greeting}" } }
              ],
              "outputs": { "joined": "${nodes.c.text}" } }
            """);

        Assert.Equal(
            [
                "parameters.n.default: bad parameter value: parameter 'n' is int, but the default is the boolean true",
                "nodes[0].inputs.step (node 'a'): unknown input 'step': activity 'math.range' has inputs: count",
                "nodes[1].activity (node 'b'): unknown activity 'nope'",
                "nodes[2].inputs.parts (node 'c'): type mismatch: input 'parts' is list<string>, but ${nodes.a.values} is list<int>",
                "nodes[3].inputs.name (node 'd'): bad reference ${nodes.d.greeting}: a node cannot use its own output",
                "nodes[1] (node 'b'): unreachable: node 'b' contributes to no output (no workflow output depends on it, directly or through other nodes)",
                "nodes[3] (node 'd'): unreachable: node 'd' contributes to no output (no workflow output depends on it, directly or through other nodes)",
            ],
            problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Definitions_built_in_code_get_the_readers_checks_too()
    {
        var node = new NodeDefinition(
            "a",
            "text.split",
            new ReadOnlyDictionary<string, InputValue>(new Dictionary<string, InputValue> { ["text"] = new LiteralInput("x") }),
            Map: null,
            Retry: new RetryPolicy(0, RetryBackoff.Fixed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)),
            Timeout: TimeSpan.Zero,
            Queue: "tpu");
        var definition = new WorkflowDefinition(
            "my flow",
            0,
            "",
            new Dictionary<string, ParameterDefinition>(),
            [node, node with { }],
            new Dictionary<string, ValueExpression>());

        var problems = WorkflowValidator.Validate(definition, FakeCatalog.Instance);

        Single(problems, null, "id", "workflow id 'my flow' is not a valid name");
        Single(problems, null, "version", "version must be 1 or more, not 0");
        Single(problems, "a", "nodes[1].id", "duplicate node id 'a' (also nodes[0])");
        Assert.Equal(2, problems.Count(p => p.Field.EndsWith(".queue", StringComparison.Ordinal)));
        Assert.Equal(2, problems.Count(p => p.Field.EndsWith(".timeout", StringComparison.Ordinal)));
        Assert.Equal(2, problems.Count(p => p.Field.EndsWith(".retry.attempts", StringComparison.Ordinal)));
        Assert.Equal(2, problems.Count(p => p.Message == "maxDelay only applies to \"exponential\" backoff"));
        Assert.Equal(11, problems.Count);
    }
}
