using System.Text.Json.Nodes;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// Turns a definition's expressions into values at run time: <c>${params.X}</c> from the bound
/// parameters, <c>${nodes.N.OUT}</c> from the finished upstream step (or, for a mapped node, the list
/// of its branches' outputs in branch order: the fan-in), <c>${item}</c> from the current map element.
/// </summary>
internal sealed class ValueResolver(JsonObject parameters, IReadOnlyDictionary<string, List<StepRecord>> upstream, WorkflowPlan plan)
{
    private readonly Dictionary<string, JsonObject> _outputs = new(StringComparer.Ordinal);

    public JsonNode? Resolve(ValueExpression expression, string? mapAs, JsonNode? item) => expression switch
    {
        LiteralList list => list.Items.DeepClone(),
        ParameterReference p => parameters[p.Name]?.DeepClone(),
        NodeOutputReference n => Output(n),
        ItemReference i when i.Name == mapAs => item?.DeepClone(),
        _ => throw new EngineException($"cannot resolve {expression} here"),
    };

    private JsonNode? Output(NodeOutputReference reference)
    {
        if (!upstream.TryGetValue(reference.NodeId, out var steps))
        {
            steps = [];
        }

        if (plan[reference.NodeId].IsMapped)
        {
            var list = new JsonArray();
            foreach (var step in steps)
            {
                list.Add(OutputsOf(step)[reference.Output]?.DeepClone());
            }

            return list;
        }

        var single = steps.SingleOrDefault() ?? throw new EngineException($"node {reference.NodeId} has no finished step to read '{reference.Output}' from");
        return OutputsOf(single)[reference.Output]?.DeepClone();
    }

    private JsonObject OutputsOf(StepRecord step)
    {
        if (!_outputs.TryGetValue(step.Id, out var outputs))
        {
            outputs = step.OutputsJson is null ? [] : JsonNode.Parse(step.OutputsJson)!.AsObject();
            _outputs[step.Id] = outputs;
        }

        return outputs;
    }
}
