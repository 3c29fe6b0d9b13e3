namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// <c>${item}</c> (or <c>${AS}</c> when the map names it): the current element of a mapped node's list,
/// valid only in that node's inputs.
/// </summary>
/// <param name="Name">The element name as written.</param>
public sealed record ItemReference(string Name) : ValueExpression
{
    /// <inheritdoc />
    public override string ToString() => "${" + Name + "}";
}
