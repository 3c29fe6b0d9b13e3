namespace CellSegFlows.Engine.Activities;

/// <summary>
/// The type of an activity input or output, of a workflow parameter, or of a workflow output, as
/// written in definitions: <c>string</c>, <c>int</c>, <c>number</c>, <c>bool</c>, <c>artifact</c> (a
/// file in the artifact store, passed by its content hash), <c>json</c> (anything), or
/// <c>list&lt;T&gt;</c> of one of those.
/// </summary>
public sealed record DataType
{
    private DataType(string name, DataType? element)
    {
        Name = name;
        Element = element;
    }

    /// <summary>The type as written, e.g. <c>list&lt;string&gt;</c>.</summary>
    public string Name { get; }

    /// <summary>The element type of a list, else null.</summary>
    public DataType? Element { get; }

    /// <summary>True for <c>list&lt;T&gt;</c>.</summary>
    public bool IsList => Element is not null;

    /// <summary>Text.</summary>
    public static DataType String { get; } = new("string", null);

    /// <summary>A 64-bit integer.</summary>
    public static DataType Integer { get; } = new("int", null);

    /// <summary>A double.</summary>
    public static DataType Number { get; } = new("number", null);

    /// <summary>true or false.</summary>
    public static DataType Boolean { get; } = new("bool", null);

    /// <summary>A file in the artifact store.</summary>
    public static DataType Artifact { get; } = new("artifact", null);

    /// <summary>Any JSON value.</summary>
    public static DataType Json { get; } = new("json", null);

    /// <summary>A list of <paramref name="element"/>.</summary>
    public static DataType ListOf(DataType element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new DataType($"list<{element.Name}>", element);
    }

    /// <summary>Parses a type name; false for anything not in the list above.</summary>
    public static bool TryParse(string? text, out DataType? type)
    {
        type = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text.StartsWith("list<", StringComparison.Ordinal) && text.EndsWith('>'))
        {
            if (TryParse(text[5..^1], out var element) && !element!.IsList)
            {
                type = ListOf(element);
                return true;
            }

            return false;
        }

        type = text switch
        {
            "string" => String,
            "int" => Integer,
            "number" => Number,
            "bool" => Boolean,
            "artifact" => Artifact,
            "json" => Json,
            _ => null,
        };
        return type is not null;
    }

    /// <summary>
    /// Whether a value of type <paramref name="source"/> may be bound where this type is expected:
    /// same type, <c>int</c> into <c>number</c>, anything into <c>json</c>, and lists element-wise.
    /// </summary>
    public bool Accepts(DataType source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (this == Json || Name == source.Name)
        {
            return true;
        }

        if (this == Number && source == Integer)
        {
            return true;
        }

        return IsList && source.IsList && Element!.Accepts(source.Element!);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
