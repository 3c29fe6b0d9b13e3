namespace CellSegFlows.Engine.Store;

/// <summary>
/// A cron schedule that starts runs of a workflow (e.g. nightly retraining). The run store holds the truth;
/// each enabled schedule is also one durable Quartz job with a cron trigger, kept in step by the engine.
/// </summary>
public sealed class ScheduleRecord
{
    /// <summary>Schedule id (letters, digits, <c>_</c>, <c>-</c>, <c>.</c>).</summary>
    public required string Id { get; set; }

    /// <summary>
    /// The workflow file (absolute path): a firing reads it again, so edits are picked up. Null when the schedule runs a
    /// stored definition (<see cref="WorkflowId"/>, latest version or <see cref="PinnedVersion"/>).
    /// </summary>
    public string? WorkflowPath { get; set; }

    /// <summary>The workflow's id: of the file when the schedule was added or last updated, or the stored definition it runs.</summary>
    public required string WorkflowId { get; set; }

    /// <summary>
    /// For a schedule that runs a stored definition: the version (definition hash) every firing runs; null runs the
    /// latest version of <see cref="WorkflowId"/> at firing time. Always null for a file.
    /// </summary>
    public string? PinnedVersion { get; set; }

    /// <summary>The definition as it was when the schedule was added or last updated: runs when the file is gone (a stored definition never falls back to it).</summary>
    public required string DefinitionJson { get; set; }

    /// <summary>Normal-form hash of <see cref="DefinitionJson"/>.</summary>
    public required string DefinitionHash { get; set; }

    /// <summary>Quartz cron expression, with seconds: <c>0 0 3 * * ?</c> is 03:00 every day.</summary>
    public required string Cron { get; set; }

    /// <summary>Parameters of every run (JSON object of texts, as <c>--param NAME=VALUE</c> gives them).</summary>
    public required string ParametersJson { get; set; }

    /// <summary>What a firing missed while no engine ran does: skip it, or fire once when an engine is back.</summary>
    public MisfirePolicy Misfire { get; set; }

    /// <summary>Start a run even when one started by this schedule is still running.</summary>
    public bool AllowOverlap { get; set; }

    /// <summary>A disabled schedule is kept but has no Quartz job.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Who added it.</summary>
    public string? CreatedBy { get; set; }

    /// <summary>When it was added.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What a cron firing missed while no engine ran does.</summary>
public enum MisfirePolicy
{
    /// <summary><c>skip</c>: missed firings are dropped; the next one is on the normal time (Quartz DoNothing).</summary>
    Skip,

    /// <summary><c>fire-once</c>: one firing as soon as an engine runs again, however many were missed (Quartz FireAndProceed).</summary>
    FireOnce,
}

/// <summary>
/// A folder watched for new or changed files (e.g. new annotation files): each file that has settled
/// starts one run of the workflow with the file's path as a parameter.
/// </summary>
public sealed class FileWatchRecord
{
    /// <summary>Watch id.</summary>
    public required string Id { get; set; }

    /// <summary>The folder (absolute path).</summary>
    public required string Folder { get; set; }

    /// <summary>File-name pattern (<c>*.json</c>); <c>**/</c> in front looks in sub-folders too.</summary>
    public required string Glob { get; set; }

    /// <summary>The workflow file (absolute path), read again at each start; null when the watch runs a stored definition.</summary>
    public string? WorkflowPath { get; set; }

    /// <summary>The workflow's id: of the file when the watch was added or last updated, or the stored definition it runs.</summary>
    public required string WorkflowId { get; set; }

    /// <summary>For a stored definition: the version (hash) every start runs; null runs the latest version at that time.</summary>
    public string? PinnedVersion { get; set; }

    /// <summary>The definition when the watch was added or last updated: used when the file is gone.</summary>
    public required string DefinitionJson { get; set; }

    /// <summary>Normal-form hash of <see cref="DefinitionJson"/>.</summary>
    public required string DefinitionHash { get; set; }

    /// <summary>The workflow parameter that receives the file's absolute path.</summary>
    public required string ParameterName { get; set; }

    /// <summary>Other parameters of every run (JSON object of texts).</summary>
    public required string ParametersJson { get; set; }

    /// <summary>A file is ready when its size and modification time have not changed for this long.</summary>
    public TimeSpan Settle { get; set; }

    /// <summary>How often the folder is scanned.</summary>
    public TimeSpan PollInterval { get; set; }

    /// <summary>A disabled watch is kept (with what it has seen) but not scanned.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Who added it.</summary>
    public string? CreatedBy { get; set; }

    /// <summary>When it was added.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// What a watch has already started a run for: a file (by path relative to the folder) and the SHA-256 of
/// the content it ran on. Written in the same transaction as that run, so a file starts exactly one run
/// per content, across restarts and crashes.
/// </summary>
public sealed class FileCursorRecord
{
    /// <summary>Watch id.</summary>
    public required string WatchId { get; set; }

    /// <summary>Path relative to the watched folder, with <c>/</c> separators.</summary>
    public required string RelativePath { get; set; }

    /// <summary>SHA-256 (hex) of the content the last run got.</summary>
    public required string ContentHash { get; set; }

    /// <summary>The run started for this content.</summary>
    public required string RunId { get; set; }

    /// <summary>When that run was started.</summary>
    public DateTimeOffset SeenAt { get; set; }
}

/// <summary>One firing of a schedule or one start by a watch, and what came of it: the triggers' journal.</summary>
public sealed class TriggerFiringRecord
{
    /// <summary>Sequence number.</summary>
    public long Id { get; set; }

    /// <summary><c>schedule</c> or <c>watch</c>.</summary>
    public required string TriggerKind { get; set; }

    /// <summary>The schedule's or watch's id.</summary>
    public required string TriggerId { get; set; }

    /// <summary>The firing's scheduled time (schedules) or when the file was taken (watches).</summary>
    public DateTimeOffset Time { get; set; }

    /// <summary>What happened.</summary>
    public FiringOutcome Outcome { get; set; }

    /// <summary>Why, or which file; notes such as "workflow file gone, ran the snapshot".</summary>
    public string? Message { get; set; }

    /// <summary>The run started, if any.</summary>
    public string? RunId { get; set; }

    /// <summary>Who fired it by hand ("fire now"); null when the trigger itself fired.</summary>
    public string? FiredBy { get; set; }
}

/// <summary>What a firing did.</summary>
public enum FiringOutcome
{
    /// <summary>A run was started.</summary>
    Started,

    /// <summary>No run: the previous run of this schedule was still running and overlap is not allowed.</summary>
    SkippedOverlap,

    /// <summary>No run: the workflow could not be read, validated or bound (the message says why).</summary>
    Failed,
}

/// <summary>The spellings of <see cref="MisfirePolicy"/> in files, on the command line and in the store: <c>skip</c>, <c>fire-once</c>.</summary>
public static class MisfireText
{
    /// <summary>The accepted spellings, for messages.</summary>
    public const string Forms = "skip or fire-once";

    /// <summary><c>skip</c> or <c>fire-once</c>.</summary>
    public static string Write(MisfirePolicy policy) => policy == MisfirePolicy.FireOnce ? "fire-once" : "skip";

    /// <summary>Reads <c>skip</c> or <c>fire-once</c>.</summary>
    /// <exception cref="FormatException">Anything else.</exception>
    public static MisfirePolicy Read(string text) =>
        TryRead(text, out var policy) ? policy : throw new FormatException($"misfire must be {Forms}, not '{text}'");

    /// <summary>Reads <c>skip</c> or <c>fire-once</c>; false for anything else.</summary>
    public static bool TryRead(string? text, out MisfirePolicy policy)
    {
        switch (text)
        {
            case "skip":
                policy = MisfirePolicy.Skip;
                return true;
            case "fire-once":
                policy = MisfirePolicy.FireOnce;
                return true;
            default:
                policy = MisfirePolicy.Skip;
                return false;
        }
    }
}
