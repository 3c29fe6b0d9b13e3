using System.Text.RegularExpressions;

namespace CellSegFlows.Engine.Definitions;

/// <summary>The one rule for ids and names that references can point at (workflow, nodes, parameters, outputs, map element).</summary>
internal static partial class Identifiers
{
    /// <summary>For messages: the rule in words.</summary>
    public const string Rule = "letters, digits, '_' and '-', starting with a letter or '_'";

    /// <summary>The rule as a JSON Schema / .NET pattern (also written in workflow.schema.json).</summary>
    public const string Pattern = "^[A-Za-z_][A-Za-z0-9_-]*$";

    public static bool IsValid(string? name) => name is not null && IdentifierPattern().IsMatch(name);

    /// <summary>The first word of <c>${params.…}</c> and <c>${nodes.…}</c>; a map element cannot be called that.</summary>
    public static bool IsReservedScope(string name) => name is "params" or "nodes";

    // \z, not $: in .NET, $ also matches before a final newline.
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
