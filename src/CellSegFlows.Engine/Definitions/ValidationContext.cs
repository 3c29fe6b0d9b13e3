using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Definitions;

/// <summary>What every check needs: the definition, the graph, the resolved activities and the problem list.</summary>
internal sealed class ValidationContext(
    WorkflowDefinition definition,
    DependencyGraph graph,
    IReadOnlyList<ActivityDescriptor?> activities,
    List<DefinitionProblem> problems)
{
    public WorkflowDefinition Definition => definition;

    public DependencyGraph Graph => graph;

    public IReadOnlyList<ActivityDescriptor?> Activities => activities;

    /// <summary>"inputs: a, b" or "no inputs", for messages.</summary>
    public static string PortList(string what, IReadOnlyList<PortDescriptor> ports) =>
        ports.Count == 0 ? $"no {what}" : $"{what}: " + string.Join(", ", ports.Select(p => p.Name));

    public void Add(string? nodeId, string field, string message) => problems.Add(new DefinitionProblem(nodeId, field, message));

    public PortDescriptor? OutputPort(int node, string output) =>
        activities[node]?.Outputs.FirstOrDefault(p => p.Name == output);

    /// <summary>
    /// The type of a reference, or null when it is unknown (a problem was added, or the referenced node's
    /// activity is unknown, which is reported at that node).
    /// </summary>
    public DataType? Resolve(ValueExpression expression, int? self, string field, bool inInputs, DataType? itemType = null)
    {
        var selfNode = self is { } s ? definition.Nodes[s] : null;
        switch (expression)
        {
            case LiteralList list:
                return list.Type;
            case ParameterReference p:
                if (definition.Parameters.TryGetValue(p.Name, out var parameter))
                {
                    return parameter.Type;
                }

                var known = definition.Parameters.Count == 0 ? "the workflow has no parameters" : "parameters: " + string.Join(", ", definition.Parameters.Keys);
                Add(selfNode?.Id, field, $"bad reference {expression}: unknown parameter '{p.Name}' ({known})");
                return null;

            case NodeOutputReference r:
                if (selfNode is not null && r.NodeId == selfNode.Id)
                {
                    Add(selfNode.Id, field, $"bad reference {expression}: a node cannot use its own output");
                    return null;
                }

                if (!graph.IndexOf.TryGetValue(r.NodeId, out var upstream))
                {
                    Add(selfNode?.Id, field, $"bad reference {expression}: unknown node '{r.NodeId}'");
                    return null;
                }

                if (activities[upstream] is not { } activity)
                {
                    return null;
                }

                if (OutputPort(upstream, r.Output) is not { } port)
                {
                    Add(selfNode?.Id, field, $"bad reference {expression}: node '{r.NodeId}' (activity '{activity.Type}') has no output '{r.Output}'; it has {PortList("outputs", activity.Outputs)}");
                    return null;
                }

                return definition.Nodes[upstream].Map is null ? port.Type : DataType.ListOf(port.Type);

            case ItemReference item:
                if (!inInputs || selfNode is null)
                {
                    Add(selfNode?.Id, field, $"bad reference {expression}: the map element is only valid in a mapped node's inputs");
                    return null;
                }

                if (selfNode.Map is null)
                {
                    Add(selfNode.Id, field, $"bad reference {expression}: {expression} is only valid in a mapped node's inputs, and node '{selfNode.Id}' has no map");
                    return null;
                }

                if (item.Name != selfNode.Map.As)
                {
                    Add(selfNode.Id, field, $"bad reference {expression}: this node's map calls its element '{selfNode.Map.As}' (${{{selfNode.Map.As}}})");
                    return null;
                }

                return itemType;

            default:
                throw new ArgumentOutOfRangeException(nameof(expression), expression, "Unknown expression kind.");
        }
    }
}
