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
public sealed record WorkflowDefinition(
    string Id,
    int Version,
    string Description,
    IReadOnlyDictionary<string, ParameterDefinition> Parameters,
    IReadOnlyList<NodeDefinition> Nodes,
    IReadOnlyDictionary<string, ValueExpression> Outputs);
