namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// Fan-out: the node runs once per element of <see cref="Over"/>, and its inputs see the current element
/// as <c>${item}</c> (or <c>${AS}</c>). Outside the node, each of its outputs is the list of the
/// per-element results in element order (fan-in).
/// </summary>
/// <param name="Over">A reference to a list: <c>${params.NAME}</c> or <c>${nodes.NODE.OUTPUT}</c>.</param>
/// <param name="As">The name of the current element in the node's inputs.</param>
public sealed record MapDefinition(ValueExpression Over, string As = MapDefinition.DefaultAs)
{
    /// <summary>The element name when <c>as</c> is not written.</summary>
    public const string DefaultAs = "item";
}
