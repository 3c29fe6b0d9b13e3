using System.Text.Json;
using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Engine.Tests.Definitions;

/// <summary>workflow.schema.json and the reader describe the same format (read with JsonDocument; no schema library).</summary>
public class SchemaTests
{
    private static readonly Lazy<JsonDocument> Schema = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "workflows", "schema", "workflow.schema.json"))));

    private static JsonElement Root => Schema.Value.RootElement;

    public static TheoryData<string, string[]> Objects => new()
    {
        { "", DefinitionFields.Workflow.ToArray() },
        { "parameter", DefinitionFields.Parameter.ToArray() },
        { "node", DefinitionFields.Node.ToArray() },
        { "map", DefinitionFields.Map.ToArray() },
        { "retry", DefinitionFields.Retry.ToArray() },
        { "layout", DefinitionFields.Layout.ToArray() },
        { "position", DefinitionFields.Position.ToArray() },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Schema_and_reader_accept_the_same_property_names(string definition, string[] readerFields)
    {
        var obj = definition.Length == 0 ? Root : Root.GetProperty("$defs").GetProperty(definition);
        var schemaFields = obj.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToArray();

        Assert.Equal(readerFields.Order(StringComparer.Ordinal), schemaFields.Order(StringComparer.Ordinal));
        Assert.False(obj.GetProperty("additionalProperties").GetBoolean());
    }

    [Fact]
    public void Schema_uses_draft_2020_12()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", Root.GetProperty("$schema").GetString());
        Assert.Equal(["id", "nodes"], Root.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            ["id", "activity"],
            Root.GetProperty("$defs").GetProperty("node").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Every_property_in_the_schema_has_a_description()
    {
        var missing = new List<string>();
        Walk(Root, "#", missing);
        Assert.Empty(missing);

        static void Walk(JsonElement element, string path, List<string> missing)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "properties" && property.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in property.Value.EnumerateObject())
                    {
                        if (!field.Value.TryGetProperty("description", out var d) || string.IsNullOrWhiteSpace(d.GetString()))
                        {
                            missing.Add($"{path}/properties/{field.Name}");
                        }
                    }
                }

                Walk(property.Value, $"{path}/{property.Name}", missing);
            }
        }
    }

    [Fact]
    public void Schema_word_lists_and_name_rule_match_the_reader()
    {
        var defs = Root.GetProperty("$defs");
        Assert.Equal(Identifiers.Pattern, defs.GetProperty("name").GetProperty("pattern").GetString());
        Assert.Equal(
            DefinitionFields.Queues,
            defs.GetProperty("node").GetProperty("properties").GetProperty("queue").GetProperty("enum").EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
        Assert.Equal(
            DefinitionFields.Backoffs,
            defs.GetProperty("retry").GetProperty("properties").GetProperty("backoff").GetProperty("enum").EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
    }

    [Theory]
    [InlineData("${params.seed}", true)]
    [InlineData("${nodes.train.model}", true)]
    [InlineData("${item}", true)]
    [InlineData("${nodes.train}", false)]
    [InlineData("x ${item}", false)]
    public void Schema_reference_pattern_agrees_with_the_reader(string text, bool valid)
    {
        var pattern = Root.GetProperty("$defs").GetProperty("reference").GetProperty("pattern").GetString()!;
        Assert.Equal(valid, System.Text.RegularExpressions.Regex.IsMatch(text, pattern));
        Assert.Equal(valid, ValueExpression.TryParse(text, out _));
    }

    [Theory]
    [InlineData("500ms", true)]
    [InlineData("1.5h", true)]
    [InlineData("00:30:00", true)]
    [InlineData("00:60:00", false)]
    [InlineData("30", false)]
    [InlineData("1h30m", false)]
    public void Schema_duration_pattern_agrees_with_the_reader(string text, bool valid)
    {
        var pattern = Root.GetProperty("$defs").GetProperty("duration").GetProperty("pattern").GetString()!;
        Assert.Equal(valid, System.Text.RegularExpressions.Regex.IsMatch(text, pattern));
        Assert.Equal(valid, DurationText.TryParse(text, out _));
    }
}
