using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// Reads a workflow definition from JSON (comments and trailing commas allowed) and checks its shape:
/// required fields, field types, unknown fields, names, durations, queues and duplicate node ids. Every
/// such problem is collected before anything is thrown. Whether activities, inputs and references exist is
/// <see cref="WorkflowValidator"/>'s job, since it needs the activity catalog.
/// </summary>
public static class WorkflowDefinitionReader
{
    /// <summary>How definitions are read: comments are skipped and trailing commas allowed.</summary>
    internal static JsonDocumentOptions DocumentOptions { get; } = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 64,
    };

    /// <summary>Reads a definition from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="sourceName">Where it came from (a path or a label), for the exception's message.</param>
    /// <exception cref="WorkflowDefinitionException">Bad JSON (with line and column) or a wrong shape (every problem).</exception>
    public static WorkflowDefinition Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);
        using var document = ParseDocument(json, sourceName);
        var problems = new List<DefinitionProblem>();
        var definition = ReadWorkflow(document.RootElement, problems);
        if (problems.Count > 0 || definition is null)
        {
            throw new WorkflowDefinitionException(sourceName, problems);
        }

        return definition;
    }

    /// <summary>Reads a definition from a file (UTF-8).</summary>
    /// <exception cref="WorkflowDefinitionException">The file cannot be read, holds bad JSON, or has a wrong shape.</exception>
    public static async Task<WorkflowDefinition> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new WorkflowDefinitionException(path, [new DefinitionProblem(null, "$", "cannot read the file: " + ex.Message)]);
        }

        return Parse(json, path);
    }

    /// <summary>Parses JSON text with the definition options; a syntax error becomes a problem with line and column.</summary>
    internal static JsonDocument ParseDocument(string json, string sourceName)
    {
        try
        {
            return JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new WorkflowDefinitionException(sourceName, [SyntaxProblem(ex, json)]);
        }
    }

    private static DefinitionProblem SyntaxProblem(JsonException ex, string json)
    {
        // System.Text.Json appends " LineNumber: 2 | BytePositionInLine: 7." to its message; those become the
        // problem's line and column instead, and the field is found by reading again up to the error.
        var message = ex.Message;
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut >= 0)
            {
                message = message[..cut];
            }
        }

        var field = JsonErrorLocator.PathOfError(json, new JsonReaderOptions
        {
            CommentHandling = DocumentOptions.CommentHandling,
            AllowTrailingCommas = DocumentOptions.AllowTrailingCommas,
            MaxDepth = DocumentOptions.MaxDepth,
        });
        var line = ex.LineNumber is { } l ? (int)l + 1 : (int?)null;
        var column = ex.BytePositionInLine is { } c ? (int)c + 1 : (int?)null;
        return new DefinitionProblem(null, field, "invalid JSON: " + message.Trim(), line, column);
    }

    private static WorkflowDefinition? ReadWorkflow(JsonElement root, List<DefinitionProblem> problems)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new DefinitionProblem(null, "$", $"a workflow definition is a JSON object, not {JsonKinds.Describe(root.ValueKind)}"));
            return null;
        }

        var scope = new JsonScope(problems, null, "");
        scope.CheckFields(root, DefinitionFields.Workflow);
        scope.String(root, "$schema", required: false);

        var id = scope.String(root, "id", required: true);
        if (id is not null)
        {
            scope.Rule("id", DefinitionRules.Name(id, "workflow id"));
        }

        var version = scope.Integer(root, "version") ?? 1;
        scope.Rule("version", DefinitionRules.Version(version));
        var description = scope.String(root, "description", required: false) ?? "";
        var parameters = ReadParameters(root, scope);
        var nodes = ReadNodes(root, scope);
        var outputs = ReadOutputs(root, scope);
        var layout = ReadLayout(root, scope);
        return new WorkflowDefinition(id ?? "", version, description, parameters, nodes, outputs, layout);
    }

    /// <summary>
    /// <c>layout.nodes</c>: an object of node id to <c>{ "x": number, "y": number }</c>. Only its shape and bounds are
    /// checked; a position for an id that is not a node is kept (the engine never reads the layout).
    /// </summary>
    private static ReadOnlyDictionary<string, NodePosition> ReadLayout(JsonElement root, JsonScope scope)
    {
        var result = new OrderedDictionary<string, NodePosition>(StringComparer.Ordinal);
        if (scope.Object(root, "layout") is not { } layout)
        {
            return new(result);
        }

        scope.CheckFields(layout, DefinitionFields.Layout, "layout");
        if (!layout.TryGetProperty("nodes", out var nodes) || nodes.ValueKind == JsonValueKind.Null)
        {
            return new(result);
        }

        if (nodes.ValueKind != JsonValueKind.Object)
        {
            scope.Problem("layout.nodes", $"must be an object of node id to {{ \"x\": number, \"y\": number }}, not {JsonKinds.Describe(nodes.ValueKind)}");
            return new(result);
        }

        foreach (var property in scope.Properties(nodes, "layout.nodes"))
        {
            var path = JsonScope.Join("layout.nodes", property.Name);
            if (result.Count == NodePosition.MaxCount)
            {
                scope.Problem("layout.nodes", $"holds more than {NodePosition.MaxCount} positions");
                break;
            }

            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                scope.Problem(path, $"must be {{ \"x\": number, \"y\": number }}, not {JsonKinds.Describe(property.Value.ValueKind)}");
                continue;
            }

            scope.CheckFields(property.Value, DefinitionFields.Position, path);
            var x = Coordinate(property.Value, "x", path, scope);
            var y = Coordinate(property.Value, "y", path, scope);
            if (x is { } px && y is { } py)
            {
                result[property.Name] = new NodePosition(px, py);
            }
        }

        return new(result);
    }

    private static double? Coordinate(JsonElement position, string name, string path, JsonScope scope)
    {
        var at = JsonScope.Join(path, name);
        if (!position.TryGetProperty(name, out var value))
        {
            scope.Problem(at, $"missing required field '{name}'");
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            scope.Problem(at, $"must be a number, not {JsonKinds.Describe(value.ValueKind)}");
            return null;
        }

        if (Math.Abs(number) > NodePosition.MaxCoordinate)
        {
            scope.Problem(at, $"{value.GetRawText()} is off the canvas: coordinates are between -{NodePosition.MaxCoordinate} and {NodePosition.MaxCoordinate}");
            return null;
        }

        return number;
    }

    private static ReadOnlyDictionary<string, ParameterDefinition> ReadParameters(JsonElement root, JsonScope scope)
    {
        var result = new OrderedDictionary<string, ParameterDefinition>(StringComparer.Ordinal);
        if (scope.Object(root, "parameters") is not { } parameters)
        {
            return new(result);
        }

        foreach (var property in scope.Properties(parameters, "parameters"))
        {
            var path = JsonScope.Join("parameters", property.Name);
            scope.Rule(path, DefinitionRules.Name(property.Name, "parameter name"));
            var at = scope.At(path);
            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                at.Problem("", $"a parameter is an object with \"type\", not {JsonKinds.Describe(property.Value.ValueKind)}");
                continue;
            }

            at.CheckFields(property.Value, DefinitionFields.Parameter);
            var typeText = at.String(property.Value, "type", required: true);
            DataType? type = null;
            if (typeText is not null && !DataType.TryParse(typeText, out type))
            {
                at.Problem("type", $"unknown type '{typeText}': use string, int, number, bool, artifact, json or list<T> of one of those");
            }

            var defaultValue = property.Value.TryGetProperty("default", out var d) ? at.Literal(d, "default", escapes: false) : null;
            var description = at.String(property.Value, "description", required: false) ?? "";
            var former = new List<string>();
            if (property.Value.TryGetProperty("formerNames", out var names) && names.ValueKind != JsonValueKind.Null)
            {
                if (names.ValueKind != JsonValueKind.Array || names.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.String))
                {
                    at.Problem("formerNames", "must be an array of the names this parameter had before a rename");
                }
                else
                {
                    foreach (var name in names.EnumerateArray().Select(n => n.GetString()!))
                    {
                        scope.Rule(JsonScope.Join(path, "formerNames"), DefinitionRules.Name(name, "former parameter name"));
                        if (parameters.TryGetProperty(name, out _) || result.Values.Any(p => p.FormerNames.Contains(name)) || former.Contains(name))
                        {
                            at.Problem("formerNames", $"'{name}' is already a parameter or another parameter's former name");
                        }

                        former.Add(name);
                    }
                }
            }

            if (type is not null)
            {
                result.TryAdd(property.Name, new ParameterDefinition(type, defaultValue, description) { FormerNames = former });
            }
        }

        return new(result);
    }

    private static List<NodeDefinition> ReadNodes(JsonElement root, JsonScope scope)
    {
        var nodes = new List<NodeDefinition>();
        if (!root.TryGetProperty("nodes", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            scope.Problem("nodes", "missing required field 'nodes' (an array of nodes)");
            return nodes;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            scope.Problem("nodes", $"must be an array of nodes, not {JsonKinds.Describe(array.ValueKind)}");
            return nodes;
        }

        if (array.GetArrayLength() == 0)
        {
            scope.Problem("nodes", "a workflow needs at least one node");
        }

        var ids = new List<string?>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var path = $"nodes[{index++}]";
            var node = ReadNode(element, path, scope);
            ids.Add(node?.Id);
            if (node is not null)
            {
                nodes.Add(node);
            }
        }

        foreach (var (at, message) in DefinitionRules.DuplicateIds(ids))
        {
            scope.Problem($"nodes[{at}].id", message, ids[at]);
        }

        return nodes;
    }

    private static NodeDefinition? ReadNode(JsonElement element, string path, JsonScope scope)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            scope.Problem(path, $"a node is an object with \"id\" and \"activity\", not {JsonKinds.Describe(element.ValueKind)}");
            return null;
        }

        // The id is read first so that every later problem can name the node.
        var id = element.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        var at = new JsonScope(scope.Problems, id, path);
        at.CheckFields(element, DefinitionFields.Node);
        at.String(element, "id", required: true);
        if (id is not null)
        {
            at.Rule("id", DefinitionRules.Name(id, "node id"));
        }

        var activity = at.String(element, "activity", required: true);
        if (activity is { Length: 0 })
        {
            at.Problem("activity", "the activity name is empty");
        }

        var inputs = new OrderedDictionary<string, InputValue>(StringComparer.Ordinal);
        if (at.Object(element, "inputs") is { } inputsElement)
        {
            foreach (var input in at.Properties(inputsElement, "inputs"))
            {
                if (ReadInput(input.Value, JsonScope.Join("inputs", input.Name), at) is { } value)
                {
                    inputs.TryAdd(input.Name, value);
                }
            }
        }

        var map = ReadMap(element, at);
        var retry = ReadRetry(element, at);
        var timeout = at.Duration(element, "timeout");
        if (timeout is { } t)
        {
            at.Rule("timeout", DefinitionRules.Timeout(t));
        }

        var queue = at.String(element, "queue", required: false);
        at.Rule("queue", DefinitionRules.Queue(queue));
        var cache = at.Boolean(element, "cache") ?? true;
        return id is null || activity is null
            ? null
            : new NodeDefinition(id, activity, new ReadOnlyDictionary<string, InputValue>(inputs), map, retry, timeout, queue, cache);
    }

    private static InputValue? ReadInput(JsonElement value, string field, JsonScope at)
    {
        if (value.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
        {
            var references = new List<(IReadOnlyList<object> Path, ValueExpression Expression)>();
            var template = Template(value, field, [], references, at);
            return template is null ? null : references.Count == 0 ? new LiteralInput(template) : new TemplateInput(template, references);
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return new LiteralInput(at.Literal(value, field, escapes: true));
        }

        var text = value.GetString()!;
        if (ValueExpression.TryParse(text, out var expression))
        {
            return new ReferenceInput(expression);
        }

        if (ValueExpression.ContainsUnescapedReference(text))
        {
            at.Problem(field, BadReferenceMessage(text));
            return null;
        }

        return new LiteralInput(JsonValue.Create(Unescape(text)));
    }

    /// <summary>A list or object input: string values that are exactly one reference are recorded with their path; others are literal (unescaped).</summary>
    private static JsonNode? Template(JsonElement value, string field, List<object> path, List<(IReadOnlyList<object> Path, ValueExpression Expression)> references, JsonScope at)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in at.Properties(value, field))
                {
                    obj[property.Name] = Template(property.Value, JsonScope.Join(field, property.Name), [.. path, property.Name], references, at);
                }

                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    array.Add(Template(item, $"{field}[{i}]", [.. path, i], references, at));
                    i++;
                }

                return array;
            case JsonValueKind.String:
                var text = value.GetString()!;
                if (ValueExpression.TryParse(text, out var expression))
                {
                    references.Add((path.ToArray(), expression));
                    return JsonValue.Create(text);
                }

                if (ValueExpression.ContainsUnescapedReference(text))
                {
                    at.Problem(field, BadReferenceMessage(text));
                    return JsonValue.Create(text);
                }

                return JsonValue.Create(Unescape(text));
            default:
                return at.Literal(value, field, escapes: true);
        }
    }

    private static MapDefinition? ReadMap(JsonElement node, JsonScope at)
    {
        if (at.Object(node, "map") is not { } map)
        {
            return null;
        }

        at.CheckFields(map, DefinitionFields.Map, "map");
        ValueExpression? over = null;
        if (!map.TryGetProperty("over", out var overElement) || overElement.ValueKind == JsonValueKind.Null)
        {
            at.Problem("map.over", "missing required field 'over' (the list to map over, e.g. ${nodes.NODE.OUTPUT})");
        }
        else if (overElement.ValueKind == JsonValueKind.Array)
        {
            over = new LiteralList((JsonArray)at.Literal(overElement, "map.over", escapes: true)!);
        }
        else if (overElement.ValueKind != JsonValueKind.String || !ValueExpression.TryParse(overElement.GetString(), out over))
        {
            at.Problem("map.over", "must be a list, or one reference to a list: ${params.NAME} or ${nodes.NODE.OUTPUT}");
        }

        var name = at.String(map, "as", required: false, "map.as") ?? MapDefinition.DefaultAs;
        at.Rule("map.as", DefinitionRules.MapAs(name));
        return over is null ? null : new MapDefinition(over, name);
    }

    private static RetryPolicy? ReadRetry(JsonElement node, JsonScope at)
    {
        if (at.Object(node, "retry") is not { } retry)
        {
            return null;
        }

        at.CheckFields(retry, DefinitionFields.Retry, "retry");
        var attempts = at.Integer(retry, "attempts", "retry.attempts");
        if (!retry.TryGetProperty("attempts", out var attemptsElement) || attemptsElement.ValueKind == JsonValueKind.Null)
        {
            at.Problem("retry.attempts", "missing required field 'attempts' (attempts in all, the first one included)");
        }
        else if (attempts is { } a)
        {
            at.Rule("retry.attempts", DefinitionRules.Attempts(a));
        }

        var backoff = RetryPolicy.DefaultBackoff;
        var backoffText = at.String(retry, "backoff", required: false, "retry.backoff");
        var backoffKnown = backoffText is null || DefinitionFields.Backoffs.Contains(backoffText);
        if (!backoffKnown)
        {
            at.Problem("retry.backoff", $"unknown backoff '{backoffText}': use \"fixed\" or \"exponential\"");
        }
        else if (backoffText == "exponential")
        {
            backoff = RetryBackoff.Exponential;
        }

        var delay = at.Duration(retry, "delay", "retry.delay") ?? RetryPolicy.DefaultDelay;
        at.Rule("retry.delay", DefinitionRules.Delay(delay));
        var maxDelay = at.Duration(retry, "maxDelay", "retry.maxDelay");
        if (maxDelay is { } max && backoffKnown)
        {
            at.Rule("retry.maxDelay", DefinitionRules.MaxDelay(backoff, delay, max));
        }

        return attempts is { } n ? new RetryPolicy(n, backoff, delay, maxDelay) : null;
    }

    private static ReadOnlyDictionary<string, ValueExpression> ReadOutputs(JsonElement root, JsonScope scope)
    {
        var result = new OrderedDictionary<string, ValueExpression>(StringComparer.Ordinal);
        if (scope.Object(root, "outputs") is not { } outputs)
        {
            return new(result);
        }

        foreach (var property in scope.Properties(outputs, "outputs"))
        {
            var path = JsonScope.Join("outputs", property.Name);
            scope.Rule(path, DefinitionRules.Name(property.Name, "output name"));
            if (property.Value.ValueKind == JsonValueKind.String && ValueExpression.TryParse(property.Value.GetString(), out var expression))
            {
                result.TryAdd(property.Name, expression);
            }
            else
            {
                scope.Problem(path, "a workflow output is one reference, e.g. ${nodes.NODE.OUTPUT} or ${params.NAME}");
            }
        }

        return new(result);
    }

    private static string BadReferenceMessage(string text)
    {
        var quoted = $"'{text}'";
        var whole = text.StartsWith("${", StringComparison.Ordinal) && text.EndsWith('}') && text.IndexOf("${", 2, StringComparison.Ordinal) < 0;
        return whole
            ? $"{quoted} is not a reference: use ${{params.NAME}}, ${{nodes.NODE.OUTPUT}} or ${{item}}"
            : $"{quoted} mixes text and references, but a reference must be the whole string (there is no interpolation); write $${{ for a literal ${{";
    }

    /// <summary><c>$${</c> in a literal input string stands for <c>${</c>.</summary>
    internal static string Unescape(string text) => text.Replace("$${", "${", StringComparison.Ordinal);
}
