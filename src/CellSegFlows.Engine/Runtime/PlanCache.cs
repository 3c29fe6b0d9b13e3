using System.Collections.Concurrent;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// The plans of the definitions this process runs, by definition hash: a definition is parsed and planned once per
/// process, not at every state change of its runs (a hash names one definition, so an entry never goes stale).
/// </summary>
internal static class PlanCache
{
    private static readonly ConcurrentDictionary<string, (WorkflowDefinition Definition, WorkflowPlan Plan)> Plans = new(StringComparer.Ordinal);

    /// <summary>The plan of a definition (by its hash), parsed and planned the first time it is asked for.</summary>
    public static WorkflowPlan Of(string hash, string json) =>
        Plans.GetOrAdd(hash, _ =>
        {
            var definition = WorkflowDefinitionReader.Parse(json, $"definition {hash[..12]}");
            return (definition, WorkflowPlan.Create(definition));
        }).Plan;

    /// <summary>The plan of a run's definition, read from the run store when this process has not planned it yet.</summary>
    public static async Task<WorkflowPlan> OfRunAsync(RunDbContext db, RunRecord run, CancellationToken ct)
    {
        if (Plans.TryGetValue(run.DefinitionHash, out var cached))
        {
            return cached.Plan;
        }

        var record = await db.Definitions.FindAsync([run.DefinitionHash], ct).ConfigureAwait(false) ?? throw new EngineException($"definition {run.DefinitionHash} of run {run.Id} is missing");
        return Of(record.Hash, record.Json);
    }
}
