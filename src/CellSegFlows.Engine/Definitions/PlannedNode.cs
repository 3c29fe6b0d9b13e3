namespace CellSegFlows.Engine.Definitions;

/// <summary>A node with its place in the DAG.</summary>
/// <param name="Node">The node as defined.</param>
/// <param name="Index">Its position in the definition's node list.</param>
/// <param name="Parents">Ids of the nodes it depends on (inputs and <c>map.over</c>), in definition order.</param>
/// <param name="Children">Ids of the nodes that depend on it, in definition order.</param>
public sealed record PlannedNode(NodeDefinition Node, int Index, IReadOnlyList<string> Parents, IReadOnlyList<string> Children)
{
    /// <summary>The node's id.</summary>
    public string Id => Node.Id;

    /// <summary>True when the node runs once per element of a list (it has a <c>map</c>).</summary>
    public bool IsMapped => Node.Map is not null;

    /// <summary>True when it depends on no other node, so it can start as soon as the run does.</summary>
    public bool IsRoot => Parents.Count == 0;
}
