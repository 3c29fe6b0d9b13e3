namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// <c>${nodes.NODE.OUTPUT}</c>: an output of an upstream node. The referring node depends on that node;
/// when that node is mapped, the value is the list of its per-element results.
/// </summary>
/// <param name="NodeId">The upstream node's id.</param>
/// <param name="Output">The name of one of its activity's outputs.</param>
public sealed record NodeOutputReference(string NodeId, string Output) : ValueExpression
{
    /// <inheritdoc />
    public override string ToString() => "${nodes." + NodeId + "." + Output + "}";
}
