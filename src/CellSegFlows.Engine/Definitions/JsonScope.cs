using System.Text.Json;
using System.Text.Json.Nodes;

namespace CellSegFlows.Engine.Definitions;

/// <summary>Reads values under one place of the document, adding problems that name its node and path.</summary>
internal sealed class JsonScope(List<DefinitionProblem> problems, string? nodeId, string path)
{
    public List<DefinitionProblem> Problems => problems;

    public static string Join(string path, string name)
    {
        var segment = Identifiers.IsValid(name) || name == "$schema" ? name : "['" + name.Replace("'", "\\'", StringComparison.Ordinal) + "']";
        if (path.Length == 0)
        {
            return segment;
        }

        return segment.StartsWith('[') ? path + segment : path + "." + segment;
    }

    public JsonScope At(string relative) => new(problems, nodeId, Full(relative));

    public void Problem(string relative, string message, string? node = null) =>
        problems.Add(new DefinitionProblem(node ?? nodeId, Full(relative), message));

    public void Rule(string relative, string? message)
    {
        if (message is not null)
        {
            Problem(relative, message);
        }
    }

    public void CheckFields(JsonElement obj, IReadOnlyList<string> accepted, string relative = "")
    {
        foreach (var property in Properties(obj, relative))
        {
            if (!accepted.Contains(property.Name))
            {
                Problem(Join(relative, property.Name), $"unknown field '{property.Name}': expected {string.Join(", ", accepted)}");
            }
        }
    }

    /// <summary>The object's properties, once each; a repeated name is a problem (which value wins would be a guess).</summary>
    public IEnumerable<JsonProperty> Properties(JsonElement obj, string relative)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (seen.Add(property.Name))
            {
                yield return property;
            }
            else
            {
                Problem(Join(relative, property.Name), $"field '{property.Name}' is written more than once");
            }
        }
    }

    public string? String(JsonElement obj, string name, bool required, string? relative = null)
    {
        relative ??= name;
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Problem(relative, $"missing required field '{name}'");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Problem(relative, $"must be a string, not {JsonKinds.Describe(value.ValueKind)}");
            return null;
        }

        return value.GetString();
    }

    public int? Integer(JsonElement obj, string name, string? relative = null)
    {
        relative ??= name;
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            var what = value.ValueKind == JsonValueKind.Number ? "the number " + value.GetRawText() : JsonKinds.Describe(value.ValueKind);
            Problem(relative, $"must be a whole number, not {what}");
            return null;
        }

        return number;
    }

    public bool? Boolean(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Problem(name, $"must be true or false, not {JsonKinds.Describe(value.ValueKind)}");
            return null;
        }

        return value.GetBoolean();
    }

    public TimeSpan? Duration(JsonElement obj, string name, string? relative = null)
    {
        relative ??= name;
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || !DurationText.TryParse(value.GetString(), out var duration))
        {
            var what = value.ValueKind == JsonValueKind.String ? $"'{value.GetString()}'" : JsonKinds.Describe(value.ValueKind);
            Problem(relative, $"{what} is not a duration: write {DurationText.Forms}");
            return null;
        }

        return duration;
    }

    public JsonElement? Object(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Problem(name, $"must be an object, not {JsonKinds.Describe(value.ValueKind)}");
            return null;
        }

        return value;
    }

    /// <summary>
    /// A JSON value as a standalone node. With <paramref name="escapes"/> (node inputs), strings nested in
    /// arrays and objects may not hold references, and <c>$${</c> stands for <c>${</c>.
    /// </summary>
    public JsonNode? Literal(JsonElement value, string relative, bool escapes)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in Properties(value, relative))
                {
                    obj[property.Name] = Literal(property.Value, Join(relative, property.Name), escapes);
                }

                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    array.Add(Literal(item, $"{relative}[{i++}]", escapes));
                }

                return array;
            case JsonValueKind.String:
                var text = value.GetString()!;
                if (escapes && ValueExpression.ContainsUnescapedReference(text))
                {
                    Problem(relative, $"'{text}': references are only read as a whole input value, not inside arrays or objects; write $${{ for a literal ${{");
                }

                return JsonValue.Create(escapes ? WorkflowDefinitionReader.Unescape(text) : text);
            case JsonValueKind.Null:
                return null;
            default:
                // Numbers keep the text as written (JsonElement is cloned off the document, which is disposed).
                return JsonValue.Create(value.Clone());
        }
    }

    private string Full(string relative)
    {
        if (relative.Length == 0)
        {
            return path.Length == 0 ? "$" : path;
        }

        if (path.Length == 0)
        {
            return relative;
        }

        return relative.StartsWith('[') ? path + relative : path + "." + relative;
    }
}
