using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Server.Api.Contracts;

/// <summary>
/// Run-store entities to the API's records. The API answers with these records only, so a column or entity change
/// shows here, as a compile error or a deliberate mapping, rather than silently in the JSON.
/// </summary>
internal static class ContractMapping
{
    public static RunDto ToDto(this RunRecord r) =>
        new(r.Id, r.WorkflowId, r.DefinitionHash, r.ParametersJson, r.Trigger, r.TriggerDetail, r.StartedBy, r.Status, r.CreatedAt, r.FinishedAt, r.Error, r.CancelRequested, r.OutputsJson);

    public static StepDto ToDto(this StepRecord s) =>
        new(s.Id, s.RunId, s.NodeId, s.MapIndex, s.Activity, s.Queue, s.Status, s.Attempt, s.InputsJson, s.OutputsJson, s.CacheKey, s.Worker,
            s.ScheduledAt, s.StartedAt, s.FinishedAt, s.Error, s.Progress, s.ProgressMessage);

    public static RunNodeDto ToDto(this RunNodeRecord n) => new(n.RunId, n.NodeId, n.PendingParents, n.MapElementCount, n.MapElementsDone, n.Status);

    public static StepEventDto ToDto(this StepEventRecord e) => new(e.Id, e.RunId, e.StepId, e.Time, e.Kind, e.Attempt, e.Status, e.Message, e.Worker);

    public static ArtifactDto ToDto(this ArtifactRecord a) => new(a.Id, a.Hash, a.Name, a.Size, a.RunId, a.StepId, a.CreatedAt);

    public static MetricDto ToDto(this MetricRecord m) => new(m.Id, m.RunId, m.StepId, m.Name, m.Value, m.Iteration, m.Time);

    public static AuditEntryDto ToDto(this AuditRecord a) => new(a.Id, a.Time, a.Actor, a.Action, a.Target, a.Detail);

    public static TriggerFiringDto ToDto(this TriggerFiringRecord f) => new(f.Id, f.TriggerKind, f.TriggerId, f.Time, f.Outcome, f.Message, f.RunId, f.FiredBy);

    public static RunSnapshotDto ToDto(this RunSnapshot s) => new(s.Run.ToDto(), s.Steps.ToDtos(ToDto), s.Nodes.ToDtos(ToDto));

    public static RunDetailDto ToDto(this RunDetail d, DefinitionVersion? definition) =>
        new(d.Run.ToDto(), definition, d.Steps.ToDtos(ToDto), d.Nodes.ToDtos(ToDto), d.Events.ToDtos(ToDto), d.Artifacts.ToDtos(ToDto), d.Metrics.ToDtos(ToDto));

    public static IReadOnlyList<TDto> ToDtos<TRecord, TDto>(this IEnumerable<TRecord> records, Func<TRecord, TDto> map) => [.. records.Select(map)];
}
