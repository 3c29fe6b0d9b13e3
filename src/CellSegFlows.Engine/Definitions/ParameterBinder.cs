using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Definitions;

/// <summary>Command-line parameter texts to typed JSON values; the rules are documented on <see cref="WorkflowValidator.Bind"/>.</summary>
internal static class ParameterBinder
{
    public static BoundParameters Bind(WorkflowDefinition definition, IReadOnlyDictionary<string, string> cliParams)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(cliParams);
        var problems = new List<DefinitionProblem>();
        var warnings = new List<DefinitionProblem>();
        var values = new OrderedDictionary<string, JsonNode?>(StringComparer.Ordinal);

        // A value given under a parameter's former name binds the parameter (unless the new name is given too).
        var given = new Dictionary<string, string>(cliParams, StringComparer.Ordinal);
        foreach (var (name, parameter) in definition.Parameters)
        {
            foreach (var former in parameter.FormerNames.Where(given.ContainsKey))
            {
                var text = given[former];
                given.Remove(former);
                if (given.TryAdd(name, text))
                {
                    warnings.Add(new DefinitionProblem(null, JsonScope.Join("parameters", former), $"parameter '{former}' is now '{name}': --param {former}=… is accepted until the next version"));
                }
                else
                {
                    warnings.Add(new DefinitionProblem(null, JsonScope.Join("parameters", former), $"deprecated parameter '{former}' is ignored: '{name}' (its new name) is also given"));
                }
            }
        }

        cliParams = given;
        foreach (var name in cliParams.Keys.Where(k => !definition.Parameters.ContainsKey(k)).Order(StringComparer.Ordinal))
        {
            var known = definition.Parameters.Count == 0 ? "this workflow has no parameters" : "its parameters are " + string.Join(", ", definition.Parameters.Keys);
            problems.Add(new DefinitionProblem(null, JsonScope.Join("parameters", name), $"unknown parameter '{name}' (--param {name}=…): {known}"));
        }

        foreach (var (name, parameter) in definition.Parameters)
        {
            var field = JsonScope.Join("parameters", name);
            if (cliParams.TryGetValue(name, out var text))
            {
                if (TryParse(text, parameter.Type, out var value, out var error))
                {
                    values[name] = value;
                }
                else
                {
                    problems.Add(new DefinitionProblem(null, field, $"--param {name}: {error}"));
                }
            }
            else if (parameter.Default is not null)
            {
                values[name] = parameter.Default.DeepClone();
            }
            else
            {
                problems.Add(new DefinitionProblem(null, field, $"parameter '{name}' ({parameter.Type}) has no default and was not given: pass --param {name}=VALUE"));
            }
        }

        return new BoundParameters(new ReadOnlyDictionary<string, JsonNode?>(values), problems) { Warnings = warnings };
    }

    private static bool TryParse(string text, DataType type, out JsonNode? value, out string? error)
    {
        error = null;
        value = null;
        if (type.IsList)
        {
            return TryParseList(text, type, out value, out error);
        }

        var trimmed = text.Trim();
        if (type == DataType.String || type == DataType.Artifact)
        {
            value = JsonValue.Create(text);
        }
        else if (type == DataType.Integer && long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            value = JsonValue.Create(integer);
        }
        else if (type == DataType.Number
            && double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number))
        {
            value = JsonValue.Create(number);
        }
        else if (type == DataType.Boolean && bool.TryParse(trimmed, out var flag))
        {
            value = JsonValue.Create(flag);
        }
        else if (type == DataType.Json)
        {
            value = TryParseJson(text, out var json, out _) ? json : JsonValue.Create(text);
        }
        else
        {
            error = type == DataType.Boolean ? $"'{text}' is not a bool (use true or false)" : $"'{text}' is not {Article(type)} {type}";
            return false;
        }

        return true;
    }

    private static bool TryParseList(string text, DataType type, out JsonNode? value, out string? error)
    {
        value = null;
        error = null;
        var trimmed = text.Trim();
        if (trimmed.StartsWith('['))
        {
            if (!TryParseJson(trimmed, out var json, out var jsonError))
            {
                error = $"'{text}' is not a JSON array: {jsonError}";
                return false;
            }

            if (JsonKinds.Mismatch(json, type) is { } mismatch)
            {
                error = $"'{text}' is not a {type}: {mismatch}";
                return false;
            }

            value = json;
            return true;
        }

        var array = new JsonArray();
        if (trimmed.Length > 0)
        {
            var parts = trimmed.Split(',');
            for (var i = 0; i < parts.Length; i++)
            {
                if (!TryParse(parts[i].Trim(), type.Element!, out var element, out var elementError))
                {
                    error = $"element [{i}] of '{text}': {elementError}";
                    return false;
                }

                array.Add(element);
            }
        }

        value = array;
        return true;
    }

    private static bool TryParseJson(string text, out JsonNode? value, out string? error)
    {
        try
        {
            value = JsonNode.Parse(text);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            value = null;
            var cut = ex.Message.IndexOf(" Path:", StringComparison.Ordinal);
            error = cut >= 0 ? ex.Message[..cut] : ex.Message;
            return false;
        }
    }

    private static string Article(DataType type) => type == DataType.Integer ? "an" : "a";
}
