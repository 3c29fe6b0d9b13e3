using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Triggers;

/// <summary>A cron schedule to add (or to update, when a schedule with this id exists).</summary>
/// <param name="Id">Schedule id: letters, digits, <c>_</c> and <c>-</c>, starting with a letter or <c>_</c>.</param>
/// <param name="Workflow">
/// The workflow file. Each firing reads it again; if it is gone, the snapshot taken when the schedule was saved runs.
/// Null when the schedule runs a stored definition (<see cref="Definition"/>).
/// </param>
/// <param name="Cron">Quartz cron expression with seconds, in the engine's local time zone: <c>0 0 3 * * ?</c> is 03:00 every day.</param>
public sealed record ScheduleSpec(string Id, string? Workflow, string Cron)
{
    /// <summary>
    /// The id of a stored workflow definition to run instead of a file (exactly one of the two): every firing runs its
    /// latest version at that time, or <see cref="PinnedVersion"/>. A definition that is no longer stored fails the firing.
    /// </summary>
    public string? Definition { get; init; }

    /// <summary>With <see cref="Definition"/>: the version (definition hash, or a unique prefix of at least 6 digits) every firing runs.</summary>
    public string? PinnedVersion { get; init; }

    /// <summary>Parameters of every run, as text (<c>--param NAME=VALUE</c>).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>What a firing missed while no engine ran does (default: skip it).</summary>
    public MisfirePolicy Misfire { get; init; } = MisfirePolicy.Skip;

    /// <summary>Start a run even while the previous run of this schedule is still running (default: no; the firing is recorded as skipped).</summary>
    public bool AllowOverlap { get; init; }

    /// <summary>A disabled schedule is kept but does not fire.</summary>
    public bool Enabled { get; init; } = true;
}

/// <summary>A folder watch to add (or to update, when a watch with this id exists).</summary>
/// <param name="Id">Watch id (same rule as schedule ids).</param>
/// <param name="Workflow">The workflow file (read again at each start; the snapshot runs if it is gone); null for a stored definition (<see cref="Definition"/>).</param>
/// <param name="Folder">The folder to watch; it must exist.</param>
/// <param name="ParameterName">The workflow parameter (string or json) that receives the file's absolute path.</param>
public sealed record FileWatchSpec(string Id, string? Workflow, string Folder, string ParameterName)
{
    /// <summary>The id of a stored workflow definition to run instead of a file: its latest version at each start, or <see cref="PinnedVersion"/>.</summary>
    public string? Definition { get; init; }

    /// <summary>With <see cref="Definition"/>: the version (hash or unique prefix) every start runs.</summary>
    public string? PinnedVersion { get; init; }

    /// <summary>Default settle time and poll interval: 2 s.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    /// <summary>File-name pattern with <c>*</c> and <c>?</c> (default <c>*.json</c>); <c>**/</c> in front looks in sub-folders too.</summary>
    public string Glob { get; init; } = "*.json";

    /// <summary>Other parameters of every run, as text.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>A file is taken when its size and modification time have not changed for this long (default 2 s).</summary>
    public TimeSpan Settle { get; init; } = DefaultInterval;

    /// <summary>How often the folder is scanned (default 2 s).</summary>
    public TimeSpan PollInterval { get; init; } = DefaultInterval;

    /// <summary>A disabled watch keeps what it has seen but is not scanned.</summary>
    public bool Enabled { get; init; } = true;
}

/// <summary>A schedule with what Quartz (or, without a running engine, the cron expression) says of its next firing.</summary>
/// <param name="Schedule">The stored schedule.</param>
/// <param name="NextFireTime">The next firing; null when disabled or when the expression never fires again.</param>
/// <param name="LastFiring">The latest firing recorded, if any.</param>
public sealed record ScheduleInfo(ScheduleRecord Schedule, DateTimeOffset? NextFireTime, TriggerFiringRecord? LastFiring);

/// <summary>A watch with how many files it has started runs for and its latest start or failure.</summary>
/// <param name="Watch">The stored watch.</param>
/// <param name="FilesSeen">Files with a cursor (a run started for their current content).</param>
/// <param name="LastFiring">The latest start or failure recorded, if any.</param>
public sealed record FileWatchInfo(FileWatchRecord Watch, int FilesSeen, TriggerFiringRecord? LastFiring);

/// <summary>A trigger as saved, and whether it was new.</summary>
/// <param name="Record">The stored record.</param>
/// <param name="Created">True when added, false when an existing one with the same id was updated.</param>
public sealed record SavedTrigger<T>(T Record, bool Created);

/// <summary>What applying a triggers file did.</summary>
/// <param name="Schedules">Schedule ids with whether each was new.</param>
/// <param name="Watches">Watch ids with whether each was new.</param>
public sealed record TriggersFileResult(IReadOnlyList<SavedTrigger<ScheduleRecord>> Schedules, IReadOnlyList<SavedTrigger<FileWatchRecord>> Watches);

/// <summary>What firing a trigger by hand ("fire now") did.</summary>
/// <param name="Firing">The journal entry of a schedule's firing (started, skipped for overlap, or failed); null for a watch's scan.</param>
/// <param name="RunsStarted">The runs started: the schedule's one, or one per new or changed settled file of the watch.</param>
public sealed record ManualFiring(TriggerFiringRecord? Firing, IReadOnlyList<string> RunsStarted);

/// <summary>The <c>ID[@HASH]</c> form that names a stored definition and optionally a pinned version (command line, triggers files).</summary>
public static class DefinitionReference
{
    /// <summary>Splits <c>ID</c> or <c>ID@HASH</c> into the workflow id and the pinned version (null when none).</summary>
    public static (string WorkflowId, string? PinnedVersion) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? (text.Trim(), null) : (text[..at].Trim(), text[(at + 1)..].Trim());
    }

    /// <summary><c>ID</c> or <c>ID@HASH</c>.</summary>
    public static string Format(string workflowId, string? pinnedVersion) => pinnedVersion is null ? workflowId : $"{workflowId}@{pinnedVersion}";

    /// <summary>What a trigger runs, in words: its workflow file, or <c>definition ID (latest)</c> / <c>definition ID@HASH12</c>.</summary>
    public static string Describe(string? workflowPath, string workflowId, string? pinnedVersion) =>
        workflowPath ?? (pinnedVersion is null ? $"definition {workflowId} (latest)" : $"definition {workflowId}@{pinnedVersion[..Math.Min(12, pinnedVersion.Length)]}");
}
