using System.Text.Json.Nodes;

namespace CellSegFlows.Activities.Training;

/// <summary>
/// Reads the fields of a grid branch (a mapped training node's <c>branch</c> object): each field overrides one
/// input, a field that is not known fails the step naming it, and a value of the wrong type names its field.
/// </summary>
internal sealed class BranchFields
{
    private readonly JsonObject branch;

    private BranchFields(JsonObject branch) => this.branch = branch;

    /// <summary>The branch's fields, after checking that every one is in <paramref name="known"/>.</summary>
    /// <exception cref="ArgumentException">A field is not known.</exception>
    public static BranchFields Of(JsonObject branch, IReadOnlySet<string> known)
    {
        if (branch.Select(p => p.Key).FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"branch field '{unknown}' is not one of {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        }

        return new BranchFields(branch);
    }

    /// <summary>Whether the branch sets <paramref name="key"/>.</summary>
    public bool Has(string key) => branch[key] is not null;

    /// <summary>The field's value, or <paramref name="fallback"/> when the branch does not set it.</summary>
    public T Get<T>(string key, T fallback) => branch[key] is { } node ? Value<T>(key, node) : fallback;

    /// <summary>The field's list, or <paramref name="fallback"/> when the branch does not set it.</summary>
    public IReadOnlyList<T>? List<T>(string key, IReadOnlyList<T>? fallback) => branch[key] switch
    {
        null => fallback,
        JsonArray items => [.. items.Select(i => i is null ? throw new ArgumentException($"branch field '{key}' holds a null") : Value<T>(key, i))],
        var other => throw new ArgumentException($"branch field '{key}' should be a list, not {other.ToJsonString()}"),
    };

    private static T Value<T>(string key, JsonNode node)
    {
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"branch field '{key}' should be a {typeof(T).Name}, not {node.ToJsonString()}", ex);
        }
    }
}
