using CellSegFlows.Engine.Store;

namespace CellSegFlows.Server.Api.Contracts;

/// <summary>One run of a workflow as the API shows it (its status, times, bound parameters, outputs and error).</summary>
/// <param name="Id">Run id.</param>
/// <param name="WorkflowId">The workflow's id.</param>
/// <param name="DefinitionHash">The exact definition version it runs.</param>
/// <param name="ParametersJson">Bound parameters (a JSON object as text).</param>
/// <param name="Trigger">What started it: manual, cron, annotation, resume.</param>
/// <param name="TriggerDetail">What the trigger saw (e.g. the annotation file), if anything.</param>
/// <param name="StartedBy">Who or what started it (user name, schedule id).</param>
/// <param name="Status">Current status.</param>
/// <param name="CreatedAt">Created.</param>
/// <param name="FinishedAt">Finished (any terminal status).</param>
/// <param name="Error">The first cause of failure.</param>
/// <param name="CancelRequested">A cancel was asked for; running steps see it and stop.</param>
/// <param name="OutputsJson">Workflow outputs when it succeeded (a JSON object as text).</param>
public sealed record RunDto(string Id, string WorkflowId, string DefinitionHash, string ParametersJson, string Trigger, string? TriggerDetail, string? StartedBy,
    RunStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, string? Error, bool CancelRequested, string? OutputsJson);

/// <summary>One step of a run: a node, or one map element of a mapped node.</summary>
/// <param name="Id">Step id: <c>{run}/{node}</c> or <c>{run}/{node}[{index}]</c>.</param>
/// <param name="RunId">Run id.</param>
/// <param name="NodeId">Node id.</param>
/// <param name="MapIndex">Map element index of a mapped node, else null.</param>
/// <param name="Activity">The activity type.</param>
/// <param name="Queue">The queue it runs on.</param>
/// <param name="Status">Status.</param>
/// <param name="Attempt">Attempts started so far.</param>
/// <param name="InputsJson">Resolved inputs (a JSON object as text).</param>
/// <param name="OutputsJson">Outputs when succeeded (a JSON object as text).</param>
/// <param name="CacheKey">Step-cache key.</param>
/// <param name="Worker">Host and process that ran the last attempt.</param>
/// <param name="ScheduledAt">Scheduled.</param>
/// <param name="StartedAt">Last attempt started.</param>
/// <param name="FinishedAt">Finished.</param>
/// <param name="Error">Error with its cause chain.</param>
/// <param name="Progress">Last progress fraction.</param>
/// <param name="ProgressMessage">Last progress message.</param>
public sealed record StepDto(string Id, string RunId, string NodeId, int? MapIndex, string Activity, string Queue, StepStatus Status, int Attempt,
    string? InputsJson, string? OutputsJson, string? CacheKey, string? Worker, DateTimeOffset? ScheduledAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    string? Error, double? Progress, string? ProgressMessage);

/// <summary>The state of one node within a run (the join ledger that releases its children).</summary>
/// <param name="RunId">Run id.</param>
/// <param name="NodeId">Node id.</param>
/// <param name="PendingParents">Parent nodes not yet complete; the node becomes ready at 0.</param>
/// <param name="MapElementCount">Number of steps (map elements) once expanded; −1 before.</param>
/// <param name="MapElementsDone">Steps finished successfully.</param>
/// <param name="Status">Node status.</param>
public sealed record RunNodeDto(string RunId, string NodeId, int PendingParents, int MapElementCount, int MapElementsDone, StepStatus Status);

/// <summary>An entry of a step's journal: a state change, a log line, or an attempt's error.</summary>
/// <param name="Id">Sequence number (the stream's event id).</param>
/// <param name="RunId">Run id.</param>
/// <param name="StepId">Step id.</param>
/// <param name="Time">When.</param>
/// <param name="Kind">state, log, error, cache.</param>
/// <param name="Attempt">Attempt it belongs to.</param>
/// <param name="Status">Status after a state change.</param>
/// <param name="Message">The text.</param>
/// <param name="Worker">Worker host.</param>
public sealed record StepEventDto(long Id, string RunId, string StepId, DateTimeOffset Time, string Kind, int Attempt, StepStatus? Status, string? Message, string? Worker);

/// <summary>An artifact a step produced (download it from <c>/api/artifacts/{hash}</c>).</summary>
/// <param name="Id">Sequence number.</param>
/// <param name="Hash">Content hash (SHA-256).</param>
/// <param name="Name">File name.</param>
/// <param name="Size">Bytes.</param>
/// <param name="RunId">Run.</param>
/// <param name="StepId">Producing step.</param>
/// <param name="CreatedAt">When.</param>
public sealed record ArtifactDto(long Id, string Hash, string Name, long Size, string RunId, string StepId, DateTimeOffset CreatedAt);

/// <summary>A number a step reported.</summary>
/// <param name="Id">Sequence number.</param>
/// <param name="RunId">Run.</param>
/// <param name="StepId">Step.</param>
/// <param name="Name">Metric name.</param>
/// <param name="Value">Value.</param>
/// <param name="Iteration">Training iteration, if any.</param>
/// <param name="Time">When.</param>
public sealed record MetricDto(long Id, string RunId, string StepId, string Name, double Value, long? Iteration, DateTimeOffset Time);

/// <summary>A run with its steps and nodes, as seen at one moment (the stream's <c>run</c> event).</summary>
public sealed record RunSnapshotDto(RunDto Run, IReadOnlyList<StepDto> Steps, IReadOnlyList<RunNodeDto> Nodes);

/// <summary>A run with everything recorded about it and the definition version it ran.</summary>
public sealed record RunDetailDto(RunDto Run, DefinitionVersion? Definition, IReadOnlyList<StepDto> Steps, IReadOnlyList<RunNodeDto> Nodes,
    IReadOnlyList<StepEventDto> Events, IReadOnlyList<ArtifactDto> Artifacts, IReadOnlyList<MetricDto> Metrics);

/// <summary>The stream's <c>end</c> event: the run has finished with this status.</summary>
public sealed record RunEndDto(RunStatus Status);

/// <summary>
/// The data of each server-sent event of <c>/api/runs/{id}/stream</c>, by event name. The stream is not this object:
/// each event's <c>data:</c> line is the JSON of one of these fields, the one its <c>event:</c> line names.
/// </summary>
/// <param name="Run">Event <c>run</c>: the run, its steps and nodes, whenever they change.</param>
/// <param name="Journal">Event <c>journal</c>: new journal entries (the event id is the last entry's id, for Last-Event-ID).</param>
/// <param name="Metrics">Event <c>metrics</c>: new metrics.</param>
/// <param name="Artifacts">Event <c>artifacts</c>: new artifacts.</param>
/// <param name="End">Event <c>end</c>: the run has finished.</param>
public sealed record RunStreamEvents(RunSnapshotDto Run, IReadOnlyList<StepEventDto> Journal, IReadOnlyList<MetricDto> Metrics, IReadOnlyList<ArtifactDto> Artifacts, RunEndDto End);

/// <summary>Two runs' score tables side by side: per metric, run A's value, run B's value and the delta B − A of every model of either run.</summary>
/// <param name="A">Run A's id.</param>
/// <param name="B">Run B's id.</param>
/// <param name="ATitle">Run A's report title (workflow, run, status).</param>
/// <param name="BTitle">Run B's report title.</param>
/// <param name="Tables">One table per metric (F1, AP, AFNR), in that order.</param>
public sealed record RunComparisonDto(string A, string B, string ATitle, string BTitle, IReadOnlyDictionary<string, ComparisonTableDto> Tables);

/// <summary>One metric's comparison table.</summary>
/// <param name="Caption">What the metric is.</param>
/// <param name="LowerIsBetter">True when a negative delta is an improvement (AFNR).</param>
/// <param name="Models">The models of either run (matched by name), run A's first; empty when neither run has the metric.</param>
/// <param name="Rows">The whole test set, then each cell type.</param>
public sealed record ComparisonTableDto(string Caption, bool LowerIsBetter, IReadOnlyList<string> Models, IReadOnlyList<ComparisonRowDto> Rows);

/// <summary>One row of a comparison table.</summary>
/// <param name="Row">LIVECell or a cell type.</param>
/// <param name="Label">As the paper prints it (e.g. SH-SY5Y).</param>
/// <param name="Cells">One per model, in the table's model order.</param>
public sealed record ComparisonRowDto(string Row, string Label, IReadOnlyList<ComparisonCellDto> Cells);

/// <summary>One model on one row: both runs' values and the delta.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="A">Run A's value, or null.</param>
/// <param name="B">Run B's value, or null.</param>
/// <param name="Delta">B − A when both are there.</param>
public sealed record ComparisonCellDto(string Model, double? A, double? B, double? Delta);
