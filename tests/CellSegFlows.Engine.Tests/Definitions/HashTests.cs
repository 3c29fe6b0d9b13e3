using System.Text.Json;
using CellSegFlows.Engine.Definitions;
using static CellSegFlows.Engine.Tests.Definitions.Defs;

namespace CellSegFlows.Engine.Tests.Definitions;

public class HashTests
{
    private const string Original = """
        {
          "id": "w",
          "version": 1,
          "parameters": { "ratio": { "type": "number", "default": 0.5 } },
          "nodes": [
            { "id": "s", "activity": "math.scale", "inputs": { "value": "${params.ratio}", "factor": 2 }, "timeout": "1m" }
          ],
          "outputs": { "r": "${nodes.s.result}" }
        }
        """;

    // The same definition: other whitespace, other key order everywhere, a comment, a trailing comma.
    private const string Reformatted = """
        {"nodes":[{"timeout":"1m","inputs":{"factor":2,"value":"${params.ratio}"},"activity":"math.scale","id":"s"}],
         // comments do not count
         "outputs":{"r":"${nodes.s.result}"},"parameters":{"ratio":{"default":0.5,"type":"number",}},"version":1,"id":"w"}
        """;

    [Fact]
    public void Hash_is_lowercase_hex_sha256()
    {
        var hash = DefinitionHash.Compute(Original);
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    [Fact]
    public void Whitespace_key_order_and_comments_do_not_change_the_hash()
    {
        Assert.Equal(DefinitionHash.Compute(Original), DefinitionHash.Compute(Reformatted));
        Assert.Equal(DefinitionHash.Compute(Parse(Original)), DefinitionHash.Compute(Parse(Reformatted)));
    }

    [Theory]
    [InlineData("\"factor\": 2", "\"factor\": 3")]
    [InlineData("\"factor\": 2", "\"factor\": 2.0")]
    [InlineData("\"timeout\": \"1m\"", "\"timeout\": \"2m\"")]
    [InlineData("\"default\": 0.5", "\"default\": 0.25")]
    [InlineData("\"version\": 1", "\"version\": 2")]
    [InlineData("${nodes.s.result}", "${nodes.s.rounded}")]
    [InlineData("\"id\": \"s\"", "\"id\": \"s\", \"queue\": \"gpu\"")]
    [InlineData("\"id\": \"s\"", "\"id\": \"s\", \"cache\": false")]
    public void Any_change_of_content_changes_both_hashes(string from, string to)
    {
        var changed = Original.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Original, changed);

        Assert.NotEqual(DefinitionHash.Compute(Original), DefinitionHash.Compute(changed));
        Assert.NotEqual(DefinitionHash.Compute(Parse(Original)), DefinitionHash.Compute(Parse(changed)));
    }

    [Fact]
    public void The_definition_hash_ignores_spelling_that_reads_the_same()
    {
        var spelledOut = Original
            .Replace("\"timeout\": \"1m\"", "\"timeout\": \"00:01:00\", \"cache\": true, \"queue\": null", StringComparison.Ordinal)
            .Replace("\"id\": \"w\",", "\"$schema\": \"schema/workflow.schema.json\", \"id\": \"w\", \"description\": \"\",", StringComparison.Ordinal);

        Assert.Equal(DefinitionHash.Compute(Parse(Original)), DefinitionHash.Compute(Parse(spelledOut)));
        Assert.NotEqual(DefinitionHash.Compute(Original), DefinitionHash.Compute(spelledOut));
    }

    [Fact]
    public void Both_hashes_agree_on_a_file_in_normal_form()
    {
        var definition = Parse(Original);
        var normal = WorkflowDefinitionWriter.ToJson(definition);

        Assert.Equal(DefinitionHash.Compute(definition), DefinitionHash.Compute(normal));
        Assert.Equal(DefinitionHash.Compute(Original), DefinitionHash.Compute(normal));
    }

    [Fact]
    public void Writing_and_reading_back_gives_the_same_definition()
    {
        var definition = Parse("""
            { "id": "w", "description": "d",
              "parameters": { "names": { "type": "list<string>", "default": ["a"], "description": "who" } },
              "nodes": [
                { "id": "g", "activity": "text.greet", "map": { "over": "${params.names}", "as": "who" },
                  "inputs": { "name": "${who}", "times": 3 },
                  "retry": { "attempts": 4, "backoff": "exponential", "delay": "1500ms", "maxDelay": "90m" },
                  "timeout": "36:00:00", "queue": "gpu", "cache": false },
                { "id": "j", "activity": "text.join", "inputs": { "parts": "${nodes.g.greeting}", "separator": "$${literal}" } }
              ],
              "outputs": { "text": "${nodes.j.text}" } }
            """);

        var json = WorkflowDefinitionWriter.ToJson(definition);
        var again = Parse(json);

        Assert.Equal(DefinitionHash.Compute(definition), DefinitionHash.Compute(again));
        Assert.Contains("\"timeout\": \"36h\"", json, StringComparison.Ordinal);
        Assert.Contains("\"delay\": \"1500ms\"", json, StringComparison.Ordinal);
        Assert.Contains("\"separator\": \"$${literal}\"", json, StringComparison.Ordinal);
        Assert.Equal("${literal}", Assert.IsType<LiteralInput>(again.Nodes[1].Inputs["separator"]).Value!.GetValue<string>());
        Assert.Equal(definition.Nodes[0].Retry, again.Nodes[0].Retry);
        Assert.Equal(definition.Nodes[0].Map, again.Nodes[0].Map);
    }

    [Fact]
    public void Canonical_form_sorts_keys_ordinally_strips_whitespace_and_keeps_numbers_as_written()
    {
        using var document = JsonDocument.Parse("""
            { "b": [1.50, 2e3, -0], "B": "tab\tquote\"é\u0001", "a": { "z": null, "_": true } }
            """);

        Assert.Equal(
            "{\"B\":\"tab\\tquote\\\"é\\u0001\",\"a\":{\"_\":true,\"z\":null},\"b\":[1.50,2e3,-0]}",
            CanonicalJson.Write(document.RootElement));
    }

    [Fact]
    public void Hashing_bad_json_is_a_definition_error()
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() => DefinitionHash.Compute("{ \"id\": }"));
        Assert.Equal(1, Assert.Single(ex.Problems).Line);
    }
}
