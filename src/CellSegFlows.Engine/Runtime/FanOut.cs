using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// Fan-out and join: expands a node whose parents are done into its steps (one, or one per map element, with their
/// inputs resolved) and keeps the join ledger that releases a node's children once all their parents have succeeded.
/// Works inside the caller's transaction (<see cref="RunCoordinator"/>) and returns the new steps through the ready list.
/// </summary>
internal sealed class FanOut(IActivityCatalog catalog, WorkflowLimits limits)
{
    /// <summary>Creates the steps of a node whose parents are done: one, or one per element of its map list.</summary>
    public async Task ExpandAsync(RunContext context, RunNodeRecord node, List<ReadyStep> ready, CancellationToken ct)
    {
        var (db, run, plan, parameters) = context;
        var definition = plan[node.NodeId].Node;
        var activity = catalog.Find(definition.Activity) ?? throw new EngineException($"node {definition.Id}: activity '{definition.Activity}' is not registered in this worker");

        // No save first: the parents' steps are all in the database, and a tracking query hands back the
        // tracked instance of a row with its unsaved values (the step completing now has its outputs set in
        // memory), so the unit of work is saved once at its end instead of once more per expanded node.
        var parents = plan[node.NodeId].Parents;
        var upstream = parents.Count == 1 && context.Completed is { MapIndex: null } completed && completed.NodeId == parents[0]
            ? OnlyParent(completed) // a chain: the one parent's one step is the step completing now, no query needed
            : await UpstreamOutputsAsync(db, run.Id, parents, ct).ConfigureAwait(false);
        var resolver = new ValueResolver(parameters.Value, upstream, plan);
        JsonArray? items = null;
        if (definition.Map is { } map)
        {
            items = resolver.Resolve(map.Over, null, null) as JsonArray
                ?? throw new EngineException($"node {definition.Id}: map.over {map.Over} is not a list at run time");
        }

        var count = items?.Count ?? 1;
        if (count > limits.MaxMapElements)
        {
            throw new EngineException($"node {definition.Id}: map.over has {count:N0} elements; the limit is {limits.MaxMapElements:N0}");
        }

        node.MapElementCount = count;
        node.Status = StepStatus.Scheduled;
        var queue = definition.Queue ?? activity.Queue;
        for (var i = 0; i < count; i++)
        {
            var item = items?[i];
            var inputs = new JsonObject();
            foreach (var port in activity.Inputs)
            {
                if (definition.Inputs.TryGetValue(port.Name, out var value))
                {
                    inputs[port.Name] = value switch
                    {
                        LiteralInput literal => literal.Value?.DeepClone(),
                        ReferenceInput reference => resolver.Resolve(reference.Expression, definition.Map?.As, item),
                        TemplateInput template => template.Resolve(expression => resolver.Resolve(expression, definition.Map?.As, item)),
                        _ => null,
                    };
                }
                else if (!port.Required)
                {
                    inputs[port.Name] = port.Default?.DeepClone();
                }
            }

            var step = new StepRecord
            {
                Id = RunCoordinator.StepIdOf(run.Id, definition.Id, items is null ? null : i),
                RunId = run.Id,
                NodeId = definition.Id,
                MapIndex = items is null ? null : i,
                Activity = definition.Activity,
                Queue = queue,
                Status = StepStatus.Scheduled,
                InputsJson = inputs.ToJsonString(),
                ScheduledAt = DateTimeOffset.UtcNow,
            };
            db.Steps.Add(step);
            RunCoordinator.AddEvent(db, step, "state", StepStatus.Scheduled, $"scheduled on queue {queue}");
            ready.Add(new ReadyStep(run.Id, step.Id, queue));
        }

        if (count == 0)
        {
            node.Status = StepStatus.Succeeded;
            await ReleaseChildrenAsync(context, node, ready, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The join ledger: counts a node's success down in each waiting child's pending parents and expands a child whose
    /// last parent this was (while the run runs and is not being cancelled). Called in the transaction that recorded the
    /// success, so every child is released exactly once.
    /// </summary>
    public async Task ReleaseChildrenAsync(RunContext context, RunNodeRecord node, List<ReadyStep> ready, CancellationToken ct)
    {
        foreach (var childId in context.Plan[node.NodeId].Children)
        {
            var child = await HotQueries.Node(context.Db, context.Run.Id, childId, ct).ConfigureAwait(false);
            if (child is null || child.Status != StepStatus.Waiting)
            {
                continue;
            }

            child.PendingParents--;
            if (child.PendingParents == 0 && context.Run.Status == RunStatus.Running && !context.Run.CancelRequested)
            {
                await ExpandAsync(context, child, ready, ct).ConfigureAwait(false);
            }
        }
    }

    private static Dictionary<string, List<StepRecord>> OnlyParent(StepRecord step) =>
        new(StringComparer.Ordinal) { [step.NodeId] = [step] };

    /// <summary>The steps of the given nodes of a run, by node, each node's in map order.</summary>
    public static async Task<Dictionary<string, List<StepRecord>>> UpstreamOutputsAsync(RunDbContext db, string runId, IReadOnlyList<string> nodeIds, CancellationToken ct)
    {
        var steps = await db.Steps.Where(s => s.RunId == runId && nodeIds.Contains(s.NodeId)).ToListAsync(ct).ConfigureAwait(false);
        return steps.GroupBy(s => s.NodeId).ToDictionary(g => g.Key, g => g.OrderBy(s => s.MapIndex ?? -1).ToList(), StringComparer.Ordinal);
    }
}
