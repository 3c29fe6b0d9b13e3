using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// Starts a run: validates the definition against the catalog, binds parameters, records the run and
/// schedules its first steps. Shared by <see cref="Hosting.WorkflowEngine.StartRunAsync"/> and the triggers,
/// which also pass a <see cref="RunAdmission"/> so their bookkeeping commits with the run.
/// </summary>
internal sealed class RunStarter(RunCoordinator coordinator, IActivityCatalog catalog, IStepScheduler steps, WorkflowLimits limits)
{
    /// <summary>The run id, or null when <paramref name="admission"/> refused the run.</summary>
    /// <exception cref="WorkflowDefinitionException">The definition or a parameter is invalid (every problem listed).</exception>
    public async Task<string?> StartAsync(
        string definitionJson,
        string sourceName,
        IReadOnlyDictionary<string, string> parameters,
        string trigger,
        string? triggerDetail,
        string? startedBy,
        RunAdmission? admission,
        CancellationToken cancellationToken)
    {
        // Deprecated port names are upgraded before anything is stored, so the run and its steps see only current names.
        definitionJson = DefinitionUpgrade.Apply(definitionJson, catalog).Json;
        var definition = WorkflowDefinitionReader.Parse(definitionJson, sourceName);
        var problems = WorkflowValidator.Validate(definition, catalog, limits).ToList();
        var bound = WorkflowValidator.Bind(definition, parameters);
        problems.AddRange(bound.Problems);
        if (problems.Count > 0)
        {
            throw new WorkflowDefinitionException(sourceName, problems);
        }

        var values = new JsonObject();
        foreach (var (name, value) in bound.Values)
        {
            values[name] = value?.DeepClone();
        }

        var hash = DefinitionHash.Compute(definition);
        var (runId, ready) = await coordinator.CreateRunAsync(definitionJson, definition, hash, values, trigger, triggerDetail, startedBy ?? Environment.UserName, cancellationToken, admission).ConfigureAwait(false);
        await steps.ScheduleAsync(ready, cancellationToken).ConfigureAwait(false);
        return runId;
    }

    /// <summary>Schedules steps that are ready (after a reconcile).</summary>
    public Task ScheduleAsync(IReadOnlyCollection<ReadyStep> ready, CancellationToken cancellationToken) => steps.ScheduleAsync(ready, cancellationToken);
}
