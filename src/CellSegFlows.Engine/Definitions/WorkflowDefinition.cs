namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// A workflow as its author wrote it: parameters, a DAG of nodes that each run one registered activity,
/// and the named outputs the run reports. Pure data, read by <see cref="WorkflowDefinitionReader"/> and
/// checked against the activity catalog by <see cref="WorkflowValidator"/>.
/// </summary>
/// <param name="Id">The workflow's name (letters, digits, <c>_</c> and <c>-</c>).</param>
/// <param name="Version">
/// The author's label (1 when not written). The engine identifies a definition by
/// <see cref="DefinitionHash"/>, not by this number, so forgetting to bump it never reuses stale results.
/// </param>
/// <param name="Description">What the workflow does, for people; empty when not written.</param>
/// <param name="Parameters">The values a run is started with, by name, in definition order.</param>
/// <param name="Nodes">The steps, in definition order (which also breaks ties in the execution order).</param>
/// <param name="Outputs">What a finished run reports, by name, in definition order.</param>
/// <param name="Layout">
/// Where the studio's designer draws each node, by node id (the <c>layout.nodes</c> section); empty when not
/// written. Data for editors only: the engine keeps and writes it back but never acts on it. It is content, so
/// moving a node changes the definition's hash.
/// </param>
public sealed record WorkflowDefinition(
    string Id,
    int Version,
    string Description,
    IReadOnlyDictionary<string, ParameterDefinition> Parameters,
    IReadOnlyList<NodeDefinition> Nodes,
    IReadOnlyDictionary<string, ValueExpression> Outputs,
    IReadOnlyDictionary<string, NodePosition>? Layout = null)
{
    /// <summary>Node positions by id (never null; empty when the definition has no layout).</summary>
    public IReadOnlyDictionary<string, NodePosition> Layout { get; init; } = Layout ?? new Dictionary<string, NodePosition>(StringComparer.Ordinal);
}
