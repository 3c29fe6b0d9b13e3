using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// A reference written as a whole JSON string: <c>${params.NAME}</c> (<see cref="ParameterReference"/>),
/// <c>${nodes.NODE.OUTPUT}</c> (<see cref="NodeOutputReference"/>) or <c>${item}</c> / <c>${AS}</c>
/// (<see cref="ItemReference"/>). There is no interpolation: a reference is the whole string or nothing.
/// </summary>
public abstract partial record ValueExpression
{
    /// <summary>Parses one reference; false when <paramref name="text"/> is not exactly one of the three forms.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ValueExpression? expression)
    {
        expression = null;
        if (text is null)
        {
            return false;
        }

        var match = ReferencePattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        if (match.Groups["param"].Success)
        {
            expression = new ParameterReference(match.Groups["param"].Value);
        }
        else if (match.Groups["node"].Success)
        {
            expression = new NodeOutputReference(match.Groups["node"].Value, match.Groups["output"].Value);
        }
        else
        {
            var name = match.Groups["item"].Value;
            if (Identifiers.IsReservedScope(name))
            {
                return false;
            }

            expression = new ItemReference(name);
        }

        return true;
    }

    /// <summary>True when <paramref name="text"/> holds <c>${</c> that is not escaped as <c>$${</c>.</summary>
    internal static bool ContainsUnescapedReference(string text)
    {
        for (var i = text.IndexOf("${", StringComparison.Ordinal); i >= 0; i = text.IndexOf("${", i + 2, StringComparison.Ordinal))
        {
            if (i == 0 || text[i - 1] != '$')
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(
        @"^\$\{(?:params\.(?<param>[A-Za-z_][A-Za-z0-9_-]*)|nodes\.(?<node>[A-Za-z_][A-Za-z0-9_-]*)\.(?<output>[A-Za-z_][A-Za-z0-9_-]*)|(?<item>[A-Za-z_][A-Za-z0-9_-]*))\}\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();
}
