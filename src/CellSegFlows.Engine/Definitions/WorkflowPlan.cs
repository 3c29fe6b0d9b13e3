namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// The DAG of a definition, ready to schedule: nodes in a stable topological order (a node comes after
/// every node it depends on; ties keep definition order), with parents, children, roots and mapped nodes.
/// </summary>
/// <remarks>
/// Meant for a definition that <see cref="WorkflowValidator"/> accepted. Only what makes ordering impossible
/// is checked again here (repeated node ids and cycles, found by the same code as the validator's);
/// references to unknown nodes are ignored.
/// </remarks>
public sealed class WorkflowPlan
{
    private readonly Dictionary<string, PlannedNode> _byId;

    private WorkflowPlan(WorkflowDefinition definition, IReadOnlyList<PlannedNode> order)
    {
        Definition = definition;
        Order = order;
        _byId = order.ToDictionary(n => n.Id, StringComparer.Ordinal);
        Roots = order.Where(n => n.IsRoot).OrderBy(n => n.Index).ToList();
        Mapped = order.Where(n => n.IsMapped).OrderBy(n => n.Index).ToList();
    }

    /// <summary>The planned definition.</summary>
    public WorkflowDefinition Definition { get; }

    /// <summary>Every node, parents before children; among nodes free to go at the same point, definition order.</summary>
    public IReadOnlyList<PlannedNode> Order { get; }

    /// <summary>Nodes that depend on no other node, in definition order.</summary>
    public IReadOnlyList<PlannedNode> Roots { get; }

    /// <summary>Nodes with a <c>map</c>, in definition order.</summary>
    public IReadOnlyList<PlannedNode> Mapped { get; }

    /// <summary>The planned node with this id.</summary>
    /// <exception cref="KeyNotFoundException">No node has this id.</exception>
    public PlannedNode this[string nodeId] =>
        _byId.TryGetValue(nodeId, out var node) ? node : throw new KeyNotFoundException($"No node '{nodeId}' in workflow '{Definition.Id}'.");

    /// <summary>Plans <paramref name="definition"/>.</summary>
    /// <param name="definition">A definition, preferably validated.</param>
    /// <param name="sourceName">Where it came from, for the exception; the workflow id when null.</param>
    /// <exception cref="WorkflowDefinitionException">Node ids repeat, or nodes depend on each other in a cycle.</exception>
    public static WorkflowPlan Create(WorkflowDefinition definition, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problems = new List<DefinitionProblem>();
        var ids = definition.Nodes.Select(n => (string?)n.Id).ToList();
        foreach (var (index, message) in DefinitionRules.DuplicateIds(ids))
        {
            problems.Add(new DefinitionProblem(ids[index], $"nodes[{index}].id", message));
        }

        var graph = DependencyGraph.Build(definition);
        foreach (var cycle in graph.FindCycles())
        {
            problems.Add(new DefinitionProblem(definition.Nodes[cycle.NodeIndex].Id, cycle.Field, cycle.Message));
        }

        if (problems.Count > 0)
        {
            throw new WorkflowDefinitionException(sourceName ?? definition.Id, problems);
        }

        var order = graph.TopologicalOrder()
            .Select(i => new PlannedNode(
                definition.Nodes[i],
                i,
                graph.Parents[i].Select(p => definition.Nodes[p].Id).ToList(),
                graph.Children[i].Select(c => definition.Nodes[c].Id).ToList()))
            .ToList();
        return new WorkflowPlan(definition, order);
    }
}
