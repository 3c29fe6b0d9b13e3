using System.Globalization;
using System.Text.RegularExpressions;

namespace CellSegFlows.Engine.Registry;

/// <summary>
/// <c>model://NAME</c> (the champion of a registered model) or <c>model://NAME@VERSION</c> (one version):
/// what a definition, the CLI or the API writes where a model artifact is expected.
/// </summary>
/// <param name="Name">The registered model's name.</param>
/// <param name="Version">A version number, or null for the champion.</param>
public sealed partial record ModelReference(string Name, int? Version)
{
    /// <summary>The scheme, with its slashes.</summary>
    public const string Scheme = "model://";

    /// <summary>The longest model name.</summary>
    public const int MaxNameLength = 100;

    /// <summary>For messages: how a reference is written.</summary>
    public const string Form = "model://NAME or model://NAME@VERSION (NAME: letters, digits, '_', '-' and '.', starting with a letter or digit; VERSION: a number from 1)";

    /// <summary>True when <paramref name="text"/> starts with <c>model://</c> (whether or not the rest is valid).</summary>
    public static bool LooksLike(string? text) => text is not null && text.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>Reads a reference; false when it is not one.</summary>
    public static bool TryParse(string? text, out ModelReference? reference)
    {
        reference = null;
        if (!LooksLike(text))
        {
            return false;
        }

        var rest = text![Scheme.Length..];
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? rest : rest[..at];
        if (!IsValidName(name))
        {
            return false;
        }

        if (at < 0)
        {
            reference = new ModelReference(name, null);
            return true;
        }

        var version = rest[(at + 1)..];
        if (version.Length is 0 or > 9 || !version.All(char.IsAsciiDigit) || !int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            return false;
        }

        reference = new ModelReference(name, number);
        return true;
    }

    /// <summary>Reads a reference.</summary>
    /// <exception cref="FormatException">Not a model reference; the message says how one is written.</exception>
    public static ModelReference Parse(string text) =>
        TryParse(text, out var reference) ? reference! : throw new FormatException($"'{Shorten(text)}' is not a model reference: write {Form}");

    /// <summary>Whether <paramref name="name"/> may name a registered model.</summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= MaxNameLength } && NamePattern().IsMatch(name);

    /// <inheritdoc />
    public override string ToString() => Version is { } v ? string.Create(CultureInfo.InvariantCulture, $"{Scheme}{Name}@{v}") : Scheme + Name;

    private static string Shorten(string? text) => text is null ? string.Empty : text.Length <= 60 ? text : text[..57] + "...";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
