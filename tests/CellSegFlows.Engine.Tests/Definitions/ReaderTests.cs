using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Definitions;
using static CellSegFlows.Engine.Tests.Definitions.Defs;

namespace CellSegFlows.Engine.Tests.Definitions;

public class ReaderTests
{
    [Fact]
    public void Reads_every_field_with_comments_and_trailing_commas()
    {
        var definition = Parse("""
            {
              // a comment
              "$schema": "../schema/workflow.schema.json",
              "id": "greetings",
              "version": 3,
              "description": "Greets people.",
              "parameters": {
                "names": { "type": "list<string>", "default": ["Ada", "Grace"], "description": "Who" },
                "loud": { "type": "bool" },
              },
              "nodes": [
                {
                  "id": "greet",
                  "activity": "text.greet",
                  "map": { "over": "${params.names}", "as": "who" },
                  "inputs": { "name": "${who}", "excited": "${params.loud}", "times": 2 },
                  "retry": { "attempts": 3, "backoff": "exponential", "delay": "500ms", "maxDelay": "1m" },
                  "timeout": "01:30:00",
                  "queue": "gpu",
                  "cache": false,
                },
                { "id": "join", "activity": "text.join", "inputs": { "parts": "${nodes.greet.greeting}" } }
              ],
              "outputs": { "text": "${nodes.join.text}" }
            }
            """);

        Assert.Equal("greetings", definition.Id);
        Assert.Equal(3, definition.Version);
        Assert.Equal("Greets people.", definition.Description);
        Assert.Equal(["names", "loud"], definition.Parameters.Keys);
        Assert.Equal(DataType.ListOf(DataType.String), definition.Parameters["names"].Type);
        Assert.Equal("""["Ada","Grace"]""", definition.Parameters["names"].Default!.ToJsonString());
        Assert.Null(definition.Parameters["loud"].Default);
        Assert.Equal("", definition.Parameters["loud"].Description);

        var greet = definition.Nodes[0];
        Assert.Equal(["name", "excited", "times"], greet.Inputs.Keys);
        Assert.Equal(new ReferenceInput(new ItemReference("who")), greet.Inputs["name"]);
        Assert.Equal(new ReferenceInput(new ParameterReference("loud")), greet.Inputs["excited"]);
        Assert.Equal("2", Assert.IsType<LiteralInput>(greet.Inputs["times"]).Value!.ToJsonString());
        Assert.Equal(new MapDefinition(new ParameterReference("names"), "who"), greet.Map);
        Assert.Equal(new RetryPolicy(3, RetryBackoff.Exponential, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1)), greet.Retry);
        Assert.Equal(TimeSpan.FromMinutes(90), greet.Timeout);
        Assert.Equal("gpu", greet.Queue);
        Assert.False(greet.Cache);

        var join = definition.Nodes[1];
        Assert.Equal(new ReferenceInput(new NodeOutputReference("greet", "greeting")), join.Inputs["parts"]);
        Assert.Null(join.Map);
        Assert.Null(join.Retry);
        Assert.Null(join.Timeout);
        Assert.Null(join.Queue);
        Assert.True(join.Cache);
        Assert.Equal(new NodeOutputReference("join", "text"), definition.Outputs["text"]);
    }

    [Fact]
    public void Optional_fields_left_out_or_null_take_their_defaults()
    {
        var definition = Parse("""
            {
              "id": "w", "version": null, "description": null, "parameters": null, "outputs": null,
              "nodes": [
                { "id": "a", "activity": "text.split", "inputs": { "text": "x" }, "map": null, "retry": null,
                  "timeout": null, "queue": null, "cache": null },
                { "id": "b", "activity": "text.greet", "inputs": { "name": "${nodes.a.parts}" },
                  "map": { "over": "${nodes.a.parts}" }, "retry": { "attempts": 2 } }
              ]
            }
            """);

        Assert.Equal(1, definition.Version);
        Assert.Equal("", definition.Description);
        Assert.Empty(definition.Parameters);
        Assert.Empty(definition.Outputs);
        var a = definition.Nodes[0];
        Assert.Null(a.Map);
        Assert.Null(a.Retry);
        Assert.Null(a.Timeout);
        Assert.Null(a.Queue);
        Assert.True(a.Cache);
        var b = definition.Nodes[1];
        Assert.Equal("item", b.Map!.As);
        Assert.Equal(new RetryPolicy(2, RetryBackoff.Fixed, TimeSpan.FromSeconds(2)), b.Retry);
    }

    [Fact]
    public void Syntax_error_gives_line_column_and_path()
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() => WorkflowDefinitionReader.Parse(
            "{\n  \"id\": \"w\",\n  \"nodes\": [\n    { \"id\": \"a\" \"activity\": \"x\" }\n  ]\n}",
            "broken.json"));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal(4, problem.Line);
        Assert.Equal(17, problem.Column);
        Assert.Equal("nodes[0]", problem.Field);
        Assert.Null(problem.NodeId);
        Assert.StartsWith("invalid JSON: ", problem.Message, StringComparison.Ordinal);
        Assert.Equal("broken.json", ex.SourceName);
        Assert.StartsWith("broken.json: nodes[0] (line 4, column 17): invalid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Syntax_error_deep_inside_is_placed_at_its_container()
    {
        var problem = Assert.Single(ReadProblems("""
            { "id": "w", "nodes": [
              { "id": "a", "activity": "text.split" },
              { "id": "b", "activity": "text.split", "inputs": { "text": "x", "separator": tru } }
            ] }
            """));

        Assert.Equal("nodes[1].inputs", problem.Field);
        Assert.Equal(3, problem.Line);
    }

    [Fact]
    public void Empty_text_is_a_syntax_error()
    {
        var problem = Assert.Single(ReadProblems(""));
        Assert.Equal("$", problem.Field);
        Assert.Equal(1, problem.Line);
    }

    [Fact]
    public void Every_structural_problem_is_listed_at_once()
    {
        var problems = ReadProblems("""
            {
              "version": "2",
              "colour": "blue",
              "parameters": { "size": { "type": "integr" }, "bad name": { "type": "int" } },
              "nodes": [
                { "id": "a", "activity": "text.split", "timeout": "10 minutes", "queue": "tpu", "cache": "yes" },
                { "id": "a", "activity": "text.join", "retry": { "attempts": 0, "backoff": "linear" }, "colour": 1 },
                { "activity": "text.join", "inputs": [] },
                { "id": "b.c", "activity": 7 }
              ],
              "outputs": { "x": "nodes.a.parts" }
            }
            """);

        Single(problems, null, "id", "missing required field 'id'");
        Single(problems, null, "version", "must be a whole number, not a string");
        Single(problems, null, "colour", "unknown field 'colour': expected $schema, id, version, description, parameters, nodes, outputs, layout");
        Single(problems, null, "parameters.size.type", "unknown type 'integr'");
        Single(problems, null, "parameters['bad name']", "parameter name 'bad name' is not a valid name");
        Single(problems, "a", "nodes[0].timeout", "'10 minutes' is not a duration: write a number and a unit (500ms, 30s, 10m, 2h) or hh:mm:ss");
        Single(problems, "a", "nodes[0].queue", "unknown queue 'tpu'");
        Single(problems, "a", "nodes[0].cache", "must be true or false, not a string");
        Single(problems, "a", "nodes[1].id", "duplicate node id 'a' (also nodes[0])");
        Single(problems, "a", "nodes[1].retry.attempts", "attempts must be 1 or more");
        Single(problems, "a", "nodes[1].retry.backoff", "unknown backoff 'linear'");
        Single(problems, "a", "nodes[1].colour", "unknown field 'colour'");
        Single(problems, null, "nodes[2].id", "missing required field 'id'");
        Single(problems, null, "nodes[2].inputs", "must be an object, not an array");
        Single(problems, "b.c", "nodes[3].id", "node id 'b.c' is not a valid name");
        Single(problems, "b.c", "nodes[3].activity", "must be a string, not a number");
        Single(problems, null, "outputs.x", "a workflow output is one reference");
        Assert.Equal(17, problems.Count);
    }

    [Fact]
    public void A_reference_is_the_whole_string_and_double_dollar_escapes_it()
    {
        var problems = ReadProblems("""
            { "id": "w", "nodes": [ { "id": "a", "activity": "text.split", "inputs": {
                "text": "hello ${params.name}",
                "separator": "${params}",
                "other": ["${params.x}", "x ${params.y}"]
            } } ] }
            """);

        Single(problems, "a", "nodes[0].inputs.text", "mixes text and references, but a reference must be the whole string");
        Single(problems, "a", "nodes[0].inputs.separator", "'${params}' is not a reference: use ${params.NAME}, ${nodes.NODE.OUTPUT} or ${item}");
        Single(problems, "a", "nodes[0].inputs.other[1]", "mixes text and references, but a reference must be the whole string");   // other[0], a whole reference in a list, is fine

        var escaped = Parse("""
            { "id": "w", "nodes": [ { "id": "a", "activity": "text.split",
              "inputs": { "text": "$${params.name} costs $5", "separator": { "s": ["$${x}"] } } } ] }
            """);
        Assert.Equal("${params.name} costs $5", Assert.IsType<LiteralInput>(escaped.Nodes[0].Inputs["text"]).Value!.GetValue<string>());
        Assert.Equal("""{"s":["${x}"]}""", Assert.IsType<LiteralInput>(escaped.Nodes[0].Inputs["separator"]).Value!.ToJsonString());
    }

    [Fact]
    public void Map_retry_and_nodes_problems_name_their_field()
    {
        var problems = ReadProblems("""
            { "id": "w", "nodes": [
              { "id": "a", "activity": "text.greet", "map": { "over": "x, y", "as": "params", "extra": 1 } },
              { "id": "b", "activity": "text.greet", "map": { "as": "x" },
                "retry": { "delay": "-1s", "maxDelay": "1m" }, "timeout": "0s" },
              { "id": "c", "activity": "text.greet", "retry": { "attempts": 2, "backoff": "exponential", "delay": "1m", "maxDelay": "10s" } },
              "d"
            ] }
            """);

        Single(problems, "a", "nodes[0].map.over", "must be a list, or one reference to a list");
        Single(problems, "a", "nodes[0].map.as", "the map element cannot be called 'params'");
        Single(problems, "a", "nodes[0].map.extra", "unknown field 'extra': expected over, as");
        Single(problems, "b", "nodes[1].map.over", "missing required field 'over'");
        Single(problems, "b", "nodes[1].retry.attempts", "missing required field 'attempts'");
        Single(problems, "b", "nodes[1].retry.delay", "'-1s' is not a duration");
        Single(problems, "b", "nodes[1].retry.maxDelay", "maxDelay only applies to \"exponential\" backoff");
        Single(problems, "b", "nodes[1].timeout", "timeout must be longer than zero");
        Single(problems, "c", "nodes[2].retry.maxDelay", "maxDelay (10s) is shorter than delay (1m)");
        Single(problems, null, "nodes[3]", "a node is an object with \"id\" and \"activity\", not a string");
        Assert.Equal(10, problems.Count);
    }

    [Fact]
    public void Missing_or_empty_nodes_and_a_non_object_root_are_problems()
    {
        Single(ReadProblems("""{ "id": "w" }"""), null, "nodes", "missing required field 'nodes'");
        Single(ReadProblems("""{ "id": "w", "nodes": [] }"""), null, "nodes", "a workflow needs at least one node");
        Single(ReadProblems("""{ "id": "w", "nodes": {} }"""), null, "nodes", "must be an array of nodes, not an object");
        Single(ReadProblems("""[1, 2]"""), null, "$", "a workflow definition is a JSON object, not an array");
    }

    [Fact]
    public void A_field_written_twice_is_a_problem()
    {
        var problems = ReadProblems("""
            { "id": "w", "id": "v", "nodes": [ { "id": "a", "activity": "text.split",
              "inputs": { "text": "x", "text": "y", "separator": { "k": 1, "k": 2 } } } ] }
            """);

        Single(problems, null, "id", "field 'id' is written more than once");
        Single(problems, "a", "nodes[0].inputs.text", "field 'text' is written more than once");
        Single(problems, "a", "nodes[0].inputs.separator.k", "field 'k' is written more than once");
    }

    [Fact]
    public void Parameter_defaults_keep_numbers_as_written_and_never_read_references()
    {
        var definition = Parse("""
            { "id": "w", "parameters": {
                "ratio": { "type": "number", "default": 0.50 },
                "pattern": { "type": "string", "default": "${not.a.reference}" }
              },
              "nodes": [ { "id": "a", "activity": "text.split", "inputs": { "text": "x" } } ] }
            """);

        Assert.Equal("0.50", definition.Parameters["ratio"].Default!.ToJsonString());
        Assert.Equal("${not.a.reference}", definition.Parameters["pattern"].Default!.GetValue<string>());
    }

    [Fact]
    public async Task LoadAsync_reads_a_file_and_names_it_in_errors()
    {
        var folder = TestPaths.NewTempFolder();
        var good = Path.Combine(folder, "good.json");
        var bad = Path.Combine(folder, "bad.json");
        await File.WriteAllTextAsync(good, """{ "id": "w", "nodes": [ { "id": "a", "activity": "text.split" } ] }""");
        await File.WriteAllTextAsync(bad, """{ "nodes": [ { "id": "a", "activity": "text.split" } ] }""");

        Assert.Equal("w", (await WorkflowDefinitionReader.LoadAsync(good)).Id);
        var badEx = await Assert.ThrowsAsync<WorkflowDefinitionException>(() => WorkflowDefinitionReader.LoadAsync(bad));
        Assert.Equal(bad, badEx.SourceName);
        Assert.Equal($"{bad}: id: missing required field 'id'", badEx.Message);
        var missing = await Assert.ThrowsAsync<WorkflowDefinitionException>(() => WorkflowDefinitionReader.LoadAsync(Path.Combine(folder, "none.json")));
        Assert.StartsWith("cannot read the file: ", Assert.Single(missing.Problems).Message, StringComparison.Ordinal);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void ValueExpression_parses_the_three_forms_only()
    {
        Assert.True(ValueExpression.TryParse("${params.seed}", out var p));
        Assert.Equal(new ParameterReference("seed"), p);
        Assert.True(ValueExpression.TryParse("${nodes.train.model}", out var n));
        Assert.Equal(new NodeOutputReference("train", "model"), n);
        Assert.True(ValueExpression.TryParse("${tile}", out var i));
        Assert.Equal(new ItemReference("tile"), i);
        Assert.Equal("${nodes.train.model}", n.ToString());

        foreach (var text in new[] { "${nodes}", "${params}", "${nodes.a}", "${params.a.b}", "${a.b}", "${ item }", "x${item}", "${item}\n", "${}", "$item" })
        {
            Assert.False(ValueExpression.TryParse(text, out _), text);
        }
    }

    [Fact]
    public void Literal_json_values_keep_their_kind()
    {
        var definition = Parse("""
            { "id": "w", "nodes": [ { "id": "a", "activity": "data.inspect",
              "inputs": { "data": { "n": 1e3, "list": [true, null, "s"] } } } ] }
            """);

        var value = Assert.IsType<LiteralInput>(definition.Nodes[0].Inputs["data"]).Value;
        Assert.Equal("""{"n":1e3,"list":[true,null,"s"]}""", value!.ToJsonString());
        Assert.IsType<JsonObject>(value);
    }

    [Fact]
    public void Layout_positions_are_read_written_back_and_change_the_hash()
    {
        var text = """
            { "id": "w", "nodes": [ { "id": "a", "activity": "text.split" } ],
              "layout": { "nodes": { "a": { "x": 12.5, "y": -40 }, "gone": { "x": 0, "y": 0 } } } }
            """;
        var definition = Parse(text);

        Assert.Equal(new NodePosition(12.5, -40), definition.Layout["a"]);
        Assert.Equal(new NodePosition(0, 0), definition.Layout["gone"]);
        var written = WorkflowDefinitionWriter.ToJson(definition, indented: false);
        Assert.Contains("""
            "layout":{"nodes":{"a":{"x":12.5,"y":-40},"gone":{"x":0,"y":0}}}
            """.Trim(), written, StringComparison.Ordinal);
        Assert.Equal(definition.Layout, WorkflowDefinitionReader.Parse(written, "again").Layout);
        var moved = Parse(text.Replace("12.5", "13", StringComparison.Ordinal));
        Assert.NotEqual(DefinitionHash.Compute(definition), DefinitionHash.Compute(moved));
        Assert.Empty(Parse("""{ "id": "w", "nodes": [ { "id": "a", "activity": "text.split" } ] }""").Layout);
    }

    [Fact]
    public void Layout_problems_name_their_field()
    {
        var problems = ReadProblems("""
            { "id": "w", "nodes": [ { "id": "a", "activity": "text.split" } ],
              "layout": { "zoom": 2, "nodes": { "a": { "x": "left", "y": 1 }, "b": { "x": 1 }, "c": [], "d": { "x": 1e9, "y": 0, "z": 1 } } } }
            """);

        Single(problems, null, "layout.zoom", "unknown field 'zoom': expected nodes");
        Single(problems, null, "layout.nodes.a.x", "must be a number, not a string");
        Single(problems, null, "layout.nodes.b.y", "missing required field 'y'");
        Single(problems, null, "layout.nodes.c", "must be { \"x\": number, \"y\": number }, not an array");
        Single(problems, null, "layout.nodes.d.x", "1e9 is off the canvas: coordinates are between -1000000 and 1000000");
        Single(problems, null, "layout.nodes.d.z", "unknown field 'z': expected x, y");
        Assert.Equal(6, problems.Count);
    }
}
