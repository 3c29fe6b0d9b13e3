using System.Text.Json.Nodes;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Runtime;

/// <summary>One unit of work on a run: the transaction's context, the run, its plan and its parameters (parsed when first needed).</summary>
internal sealed record RunContext(RunDbContext Db, RunRecord Run, WorkflowPlan Plan, Lazy<JsonObject> Parameters)
{
    /// <summary>The step whose completion this unit records, if any (tracked, its outputs set).</summary>
    public StepRecord? Completed { get; init; }
}
