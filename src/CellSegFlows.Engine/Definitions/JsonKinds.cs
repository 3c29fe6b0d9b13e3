using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Definitions;

/// <summary>JSON values against <see cref="DataType"/>s, and JSON values described in words for messages.</summary>
internal static class JsonKinds
{
    private const int MaxQuoted = 40;

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    /// <summary>The value in words: <c>the string "abc"</c>, <c>the number 2.5</c>, <c>an array</c>.</summary>
    public static string Describe(JsonNode? value)
    {
        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        return kind switch
        {
            JsonValueKind.String => $"the string \"{Shorten(value!.GetValue<string>())}\"",
            JsonValueKind.Number => $"the number {value!.ToJsonString()}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {value!.ToJsonString()}",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => "null",
        };
    }

    /// <summary>
    /// Null when <paramref name="value"/> is a valid <paramref name="type"/>; else what is wrong, as a phrase:
    /// <c>the value is the string "three"</c> or <c>element [1] is the string "x"</c>. An <c>int</c> must be
    /// written without a fraction or exponent; an <c>artifact</c> literal is a model reference
    /// (<c>model://NAME</c> or <c>model://NAME@VERSION</c>, resolved by the engine when the step starts); <c>json</c> takes anything.
    /// </summary>
    public static string? Mismatch(JsonNode? value, DataType type)
    {
        if (type.IsList && value is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (ElementMismatch(array[i], type.Element!) is { } inner)
                {
                    return $"element [{i}] is {inner}";
                }
            }

            return null;
        }

        return Fits(value, type) ? null : "the value is " + Describe(value) + ArtifactHint(value, type);
    }

    /// <summary>An artifact is passed from an upstream output; the only literal an artifact takes is a model reference.</summary>
    private static string ArtifactHint(JsonNode? value, DataType type) =>
        (type == DataType.Artifact || type.Element == DataType.Artifact) && value?.GetValueKind() is JsonValueKind.String or JsonValueKind.Array
            ? $" (an artifact comes from an upstream output, ${{nodes.N.OUTPUT}}, or from the model registry: {Registry.ModelReference.Form})"
            : string.Empty;

    private static string? ElementMismatch(JsonNode? value, DataType type)
    {
        if (type.IsList && value is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (ElementMismatch(array[i], type.Element!) is { } inner)
                {
                    return $"an array whose element [{i}] is {inner}";
                }
            }

            return null;
        }

        return Fits(value, type) ? null : Describe(value) + ArtifactHint(value, type);
    }

    private static bool Fits(JsonNode? value, DataType type)
    {
        if (type == DataType.Json)
        {
            return true;
        }

        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        if (type.IsList)
        {
            return false;
        }

        if (type == DataType.String)
        {
            return kind == JsonValueKind.String;
        }

        if (type == DataType.Artifact)
        {
            // A template ("model://${params.name}") is checked once its parts are known, at the step.
            return kind == JsonValueKind.String && (Registry.ModelReference.TryParse(value!.GetValue<string>(), out _) || value!.GetValue<string>().Contains("${", StringComparison.Ordinal));
        }

        if (type == DataType.Boolean)
        {
            return kind is JsonValueKind.True or JsonValueKind.False;
        }

        if (type == DataType.Integer)
        {
            return kind == JsonValueKind.Number
                && long.TryParse(value!.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
        }

        return type == DataType.Number && kind == JsonValueKind.Number;
    }

    private static string Shorten(string text) => text.Length <= MaxQuoted ? text : text[..MaxQuoted] + "…";
}
