using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// Writes a definition back as JSON in the format <see cref="WorkflowDefinitionReader"/> reads, in one normal
/// form: fields at their default values are left out (<c>version</c> is always written), durations are written
/// by <see cref="DurationText.Format"/>, and literal input strings holding <c>${</c> are escaped as <c>$${</c>.
/// Reading the result gives the same definition.
/// </summary>
public static class WorkflowDefinitionWriter
{
    // Files are for people and never embedded in HTML, so only what JSON requires is escaped.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The definition as JSON text.</summary>
    public static string ToJson(WorkflowDefinition definition, bool indented = true) =>
        ToJsonNode(definition).ToJsonString(indented ? Indented : Compact);

    /// <summary>The definition as a JSON object.</summary>
    public static JsonObject ToJsonNode(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var root = new JsonObject
        {
            ["id"] = definition.Id,
            ["version"] = definition.Version,
        };
        if (definition.Description.Length > 0)
        {
            root["description"] = definition.Description;
        }

        if (definition.Parameters.Count > 0)
        {
            var parameters = new JsonObject();
            foreach (var (name, parameter) in definition.Parameters)
            {
                var p = new JsonObject { ["type"] = parameter.Type.Name };
                if (parameter.Default is not null)
                {
                    p["default"] = parameter.Default.DeepClone();
                }

                if (parameter.Description.Length > 0)
                {
                    p["description"] = parameter.Description;
                }

                if (parameter.FormerNames.Count > 0)
                {
                    p["formerNames"] = new JsonArray([.. parameter.FormerNames.Select(n => (JsonNode)n)]);
                }

                parameters[name] = p;
            }

            root["parameters"] = parameters;
        }

        root["nodes"] = new JsonArray(definition.Nodes.Select(n => (JsonNode)WriteNode(n)).ToArray());
        if (definition.Outputs.Count > 0)
        {
            var outputs = new JsonObject();
            foreach (var (name, expression) in definition.Outputs)
            {
                outputs[name] = expression.ToString();
            }

            root["outputs"] = outputs;
        }

        if (definition.Layout.Count > 0)
        {
            var positions = new JsonObject();
            foreach (var (id, position) in definition.Layout)
            {
                positions[id] = new JsonObject { ["x"] = position.X, ["y"] = position.Y };
            }

            root["layout"] = new JsonObject { ["nodes"] = positions };
        }

        return root;
    }

    private static JsonObject WriteNode(NodeDefinition node)
    {
        var result = new JsonObject
        {
            ["id"] = node.Id,
            ["activity"] = node.Activity,
        };
        if (node.Inputs.Count > 0)
        {
            var inputs = new JsonObject();
            foreach (var (name, value) in node.Inputs)
            {
                inputs[name] = value switch
                {
                    ReferenceInput reference => JsonValue.Create(reference.Expression.ToString()),
                    LiteralInput literal => Escape(literal.Value),
                    TemplateInput template => WithReferences(template),
                    _ => throw new ArgumentOutOfRangeException(nameof(node), value, "Unknown input value kind."),
                };
            }

            result["inputs"] = inputs;
        }

        if (node.Map is { } map)
        {
            var m = new JsonObject { ["over"] = map.Over is LiteralList list ? Escape(list.Items) : map.Over.ToString() };
            if (map.As != MapDefinition.DefaultAs)
            {
                m["as"] = map.As;
            }

            result["map"] = m;
        }

        if (node.Retry is { } retry)
        {
            var r = new JsonObject { ["attempts"] = retry.Attempts };
            if (retry.Backoff != RetryPolicy.DefaultBackoff)
            {
                r["backoff"] = DefinitionFields.BackoffName(retry.Backoff);
            }

            if (retry.Delay != RetryPolicy.DefaultDelay)
            {
                r["delay"] = DurationText.Format(retry.Delay);
            }

            if (retry.MaxDelay is { } max)
            {
                r["maxDelay"] = DurationText.Format(max);
            }

            result["retry"] = r;
        }

        if (node.Timeout is { } timeout)
        {
            result["timeout"] = DurationText.Format(timeout);
        }

        if (node.Queue is not null)
        {
            result["queue"] = node.Queue;
        }

        if (!node.Cache)
        {
            result["cache"] = false;
        }

        return result;
    }

    /// <summary>A copy of a literal with <c>${</c> in strings written as <c>$${</c>, so it is not read as a reference.</summary>
    /// <summary>The template with literal strings escaped and each reference written back as its expression.</summary>
    private static JsonNode WithReferences(TemplateInput template)
    {
        var escaped = new TemplateInput(Escape(template.Template)!, template.References);
        return escaped.Resolve(expression => JsonValue.Create(expression.ToString()));
    }

    private static JsonNode? Escape(JsonNode? value) => value switch
    {
        null => null,
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Escape(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Escape).ToArray()),
        _ when value.GetValueKind() == JsonValueKind.String =>
            JsonValue.Create(value.GetValue<string>().Replace("${", "$${", StringComparison.Ordinal)),
        _ => value.DeepClone(),
    };
}
