using System.Text.Json.Nodes;

namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// A list or object input with references among its values, e.g. <c>["${nodes.a.model}", "${nodes.b.model}"]</c> or
/// <c>{ "x": "${params.y}", "n": 3 }</c>: a JSON template whose string values that are exactly one reference are
/// replaced by what the reference resolves to (a whole value, never spliced into text).
/// </summary>
/// <param name="Template">The value with each reference still written as its string (literal strings unescaped).</param>
/// <param name="References">Where each reference stands: a path of property names and list indices, and the expression.</param>
public sealed record TemplateInput(JsonNode Template, IReadOnlyList<(IReadOnlyList<object> Path, ValueExpression Expression)> References) : InputValue
{
    /// <summary>The value with every reference resolved by <paramref name="resolve"/>.</summary>
    public JsonNode Resolve(Func<ValueExpression, JsonNode?> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        var value = Template.DeepClone();
        foreach (var (path, expression) in References)
        {
            var parent = value;
            for (var i = 0; i < path.Count - 1; i++)
            {
                parent = path[i] is int index ? parent.AsArray()[index]! : parent.AsObject()[(string)path[i]]!;
            }

            var resolved = resolve(expression);
            if (path[^1] is int last)
            {
                parent.AsArray()[last] = resolved;
            }
            else
            {
                parent.AsObject()[(string)path[^1]] = resolved;
            }
        }

        return value;
    }

    /// <summary>The reference standing directly in list element <paramref name="index"/>, if any.</summary>
    internal ValueExpression? ElementReference(int index) =>
        References.FirstOrDefault(r => r.Path.Count == 1 && r.Path[0] is int i && i == index).Expression;
}
