namespace CellSegFlows.Engine.Store;

/// <summary>A saved workflow definition version, named by the SHA-256 of its canonical JSON.</summary>
public sealed class DefinitionVersionRecord
{
    /// <summary>Content hash (the version).</summary>
    public required string Hash { get; set; }

    /// <summary>The workflow's id.</summary>
    public required string WorkflowId { get; set; }

    /// <summary>The author's version label.</summary>
    public int VersionLabel { get; set; }

    /// <summary>The definition as saved.</summary>
    public required string Json { get; set; }

    /// <summary>When it was first saved.</summary>
    public DateTimeOffset SavedAt { get; set; }

    /// <summary>Who saved it.</summary>
    public string? SavedBy { get; set; }

    /// <summary>
    /// A draft's content, kept because a run named the draft: runs and their plans find it by hash, but it is not a
    /// published version (never the latest, never what a trigger runs) until the same content is published.
    /// </summary>
    public bool Draft { get; set; }
}

/// <summary>The draft of a workflow: edits saved but not published (one per workflow, replaced by each save).</summary>
public sealed class DefinitionDraftRecord
{
    /// <summary>The workflow's id.</summary>
    public required string WorkflowId { get; set; }

    /// <summary>The definition as saved (upgraded to the current spelling; it may have validation problems).</summary>
    public required string Json { get; set; }

    /// <summary>When it was last saved.</summary>
    public DateTimeOffset SavedAt { get; set; }

    /// <summary>Who saved it last.</summary>
    public string? SavedBy { get; set; }

    /// <summary>The published version the draft was started from (null for a workflow never published).</summary>
    public string? BaseHash { get; set; }
}

/// <summary>One run of a workflow.</summary>
public sealed class RunRecord
{
    /// <summary>Run id.</summary>
    public required string Id { get; set; }

    /// <summary>The workflow's id.</summary>
    public required string WorkflowId { get; set; }

    /// <summary>The exact definition version it runs.</summary>
    public required string DefinitionHash { get; set; }

    /// <summary>Bound parameters (JSON object).</summary>
    public required string ParametersJson { get; set; }

    /// <summary>manual, cron, annotation, resume.</summary>
    public required string Trigger { get; set; }

    /// <summary>What the trigger saw (e.g. the annotation file), if anything.</summary>
    public string? TriggerDetail { get; set; }

    /// <summary>Who or what started it (user name, schedule id).</summary>
    public string? StartedBy { get; set; }

    /// <summary>Current status.</summary>
    public RunStatus Status { get; set; }

    /// <summary>Created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Finished (any terminal status).</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The first cause of failure.</summary>
    public string? Error { get; set; }

    /// <summary>Set by a cancel request; running steps see it and stop.</summary>
    public bool CancelRequested { get; set; }

    /// <summary>Workflow outputs when it succeeded (JSON object).</summary>
    public string? OutputsJson { get; set; }
}

/// <summary>The state of one node within a run: the join ledger that releases its children exactly once.</summary>
public sealed class RunNodeRecord
{
    /// <summary>Run id.</summary>
    public required string RunId { get; set; }

    /// <summary>Node id.</summary>
    public required string NodeId { get; set; }

    /// <summary>Parent nodes not yet complete; the node becomes ready at 0.</summary>
    public int PendingParents { get; set; }

    /// <summary>Number of steps (map elements) once expanded; −1 before.</summary>
    public int MapElementCount { get; set; } = -1;

    /// <summary>Map elements whose steps finished successfully.</summary>
    public int MapElementsDone { get; set; }

    /// <summary>Node status.</summary>
    public StepStatus Status { get; set; }
}

/// <summary>One step: a node, or one map element of a mapped node.</summary>
public sealed class StepRecord
{
    /// <summary>Step id: <c>{run}/{node}</c> or <c>{run}/{node}[{index}]</c>.</summary>
    public required string Id { get; set; }

    /// <summary>Run id.</summary>
    public required string RunId { get; set; }

    /// <summary>Node id.</summary>
    public required string NodeId { get; set; }

    /// <summary>Map element index of a mapped node, else null.</summary>
    public int? MapIndex { get; set; }

    /// <summary>The activity (its name, as the node's <c>activity</c> field gives it).</summary>
    public required string Activity { get; set; }

    /// <summary>Queue (cpu/gpu).</summary>
    public required string Queue { get; set; }

    /// <summary>Status.</summary>
    public StepStatus Status { get; set; }

    /// <summary>Attempts started so far.</summary>
    public int Attempt { get; set; }

    /// <summary>Resolved inputs (JSON object).</summary>
    public string? InputsJson { get; set; }

    /// <summary>Outputs when succeeded (JSON object).</summary>
    public string? OutputsJson { get; set; }

    /// <summary>Step-cache key.</summary>
    public string? CacheKey { get; set; }

    /// <summary>Host and process that ran the last attempt.</summary>
    public string? Worker { get; set; }

    /// <summary>Scheduled as a job.</summary>
    public DateTimeOffset? ScheduledAt { get; set; }

    /// <summary>Last attempt started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>Finished.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Error with its cause chain.</summary>
    public string? Error { get; set; }

    /// <summary>Last progress fraction.</summary>
    public double? Progress { get; set; }

    /// <summary>Last progress message.</summary>
    public string? ProgressMessage { get; set; }
}

/// <summary>An entry of a step's journal: a state change, a log line, or an attempt's error.</summary>
public sealed class StepEventRecord
{
    /// <summary>Sequence number.</summary>
    public long Id { get; set; }

    /// <summary>Run id.</summary>
    public required string RunId { get; set; }

    /// <summary>Step id.</summary>
    public required string StepId { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset Time { get; set; }

    /// <summary>state, log, error, cache.</summary>
    public required string Kind { get; set; }

    /// <summary>Attempt it belongs to.</summary>
    public int Attempt { get; set; }

    /// <summary>Status after a state change.</summary>
    public StepStatus? Status { get; set; }

    /// <summary>The text.</summary>
    public string? Message { get; set; }

    /// <summary>Worker host.</summary>
    public string? Worker { get; set; }
}

/// <summary>An artifact produced by a step (lineage).</summary>
public sealed class ArtifactRecord
{
    /// <summary>Sequence number.</summary>
    public long Id { get; set; }

    /// <summary>Content hash.</summary>
    public required string Hash { get; set; }

    /// <summary>File name.</summary>
    public required string Name { get; set; }

    /// <summary>Bytes.</summary>
    public long Size { get; set; }

    /// <summary>Run.</summary>
    public required string RunId { get; set; }

    /// <summary>Producing step.</summary>
    public required string StepId { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A number a step reported.</summary>
public sealed class MetricRecord
{
    /// <summary>Sequence number.</summary>
    public long Id { get; set; }

    /// <summary>Run.</summary>
    public required string RunId { get; set; }

    /// <summary>Step.</summary>
    public required string StepId { get; set; }

    /// <summary>Metric name.</summary>
    public required string Name { get; set; }

    /// <summary>Value.</summary>
    public double Value { get; set; }

    /// <summary>The training iteration it was measured at, if any.</summary>
    public long? Iteration { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset Time { get; set; }
}

/// <summary>A cached step result: outputs of an activity version for resolved inputs.</summary>
public sealed class CacheEntryRecord
{
    /// <summary>SHA-256 of activity type, version and canonical inputs.</summary>
    public required string Key { get; set; }

    /// <summary>Activity type.</summary>
    public required string Activity { get; set; }

    /// <summary>Activity version.</summary>
    public int ActivityVersion { get; set; }

    /// <summary>Outputs (JSON object).</summary>
    public required string OutputsJson { get; set; }

    /// <summary>The step that computed it.</summary>
    public required string StepId { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Run status.</summary>
public enum RunStatus
{
    /// <summary>Created, nothing scheduled yet.</summary>
    Pending,

    /// <summary>Steps are scheduled or running.</summary>
    Running,

    /// <summary>Every step succeeded.</summary>
    Succeeded,

    /// <summary>A step failed.</summary>
    Failed,

    /// <summary>Cancelled on request.</summary>
    Cancelled,
}

/// <summary>Step (and node) status.</summary>
public enum StepStatus
{
    /// <summary>Waiting for parents.</summary>
    Waiting,

    /// <summary>Scheduled as a job, not started.</summary>
    Scheduled,

    /// <summary>An attempt is running.</summary>
    Running,

    /// <summary>Finished.</summary>
    Succeeded,

    /// <summary>Outputs reused from the step cache.</summary>
    Cached,

    /// <summary>Failed after its attempts.</summary>
    Failed,

    /// <summary>Not run because an upstream step failed or the run was cancelled.</summary>
    Skipped,

    /// <summary>Stopped by a cancel request.</summary>
    Cancelled,
}
