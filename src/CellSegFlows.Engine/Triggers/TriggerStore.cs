using System.Text.Json;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Runtime;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace CellSegFlows.Engine.Triggers;

/// <summary>
/// Schedules and folder watches as records in the run store: validated when saved (id, cron expression,
/// folder, durations, the workflow file against the activity catalog, the parameters against the workflow),
/// listed with their latest firing, removed. The run store is the truth; a running engine keeps one Quartz
/// job per enabled trigger in step with it (<see cref="Hosting.WorkflowEngine"/>), so a process with no
/// scheduler, such as the command line, can add and remove triggers safely. In a process with an engine,
/// change triggers through <see cref="Hosting.WorkflowEngine.Triggers"/> (<see cref="TriggerAdmin"/>), which
/// also brings its Quartz jobs in step at once.
/// </summary>
public sealed class TriggerStore(RunStoreOptions store, IActivityCatalog catalog)
{
    /// <summary><see cref="TriggerFiringRecord.TriggerKind"/> of schedules.</summary>
    public const string ScheduleKind = "schedule";

    /// <summary><see cref="TriggerFiringRecord.TriggerKind"/> of watches.</summary>
    public const string WatchKind = "watch";

    private static readonly TimeSpan MinPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    /// <summary>The run store it keeps triggers in.</summary>
    public RunStoreOptions Store => store;

    /// <summary>Adds a schedule, or updates the one with the same id.</summary>
    /// <exception cref="TriggerDefinitionException">A field is invalid (named in the message).</exception>
    public async Task<SavedTrigger<ScheduleRecord>> AddScheduleAsync(ScheduleSpec spec, string? createdBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var record = await PrepareScheduleAsync(spec, cancellationToken).ConfigureAwait(false);
        return await StoreGate.WriteAsync(store, db => SaveAsync(db, record, createdBy, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a folder watch, or updates the one with the same id (a new folder forgets the files seen).</summary>
    /// <exception cref="TriggerDefinitionException">A field is invalid (named in the message).</exception>
    public async Task<SavedTrigger<FileWatchRecord>> AddFileWatchAsync(FileWatchSpec spec, string? createdBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var record = await PrepareFileWatchAsync(spec, cancellationToken).ConfigureAwait(false);
        return await StoreGate.WriteAsync(store, db => SaveAsync(db, record, createdBy, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds or updates every schedule and watch of a triggers file (<c>{"schedules": [...], "watches": [...]}</c>);
    /// all are checked before any is saved, and all are saved in one transaction. Triggers not in the file are left alone.
    /// </summary>
    /// <exception cref="TriggerDefinitionException">The file or one of its triggers is invalid (file, position and field named).</exception>
    public async Task<TriggersFileResult> ApplyFileAsync(string path, string? createdBy = null, CancellationToken cancellationToken = default)
    {
        var file = await TriggersFile.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        var schedules = new List<ScheduleRecord>();
        var watches = new List<FileWatchRecord>();
        foreach (var (where, spec) in file.Schedules)
        {
            try
            {
                schedules.Add(await PrepareScheduleAsync(spec, cancellationToken).ConfigureAwait(false));
            }
            catch (TriggerDefinitionException ex)
            {
                throw ex.Within(file.Path, where);
            }
        }

        foreach (var (where, spec) in file.Watches)
        {
            try
            {
                watches.Add(await PrepareFileWatchAsync(spec, cancellationToken).ConfigureAwait(false));
            }
            catch (TriggerDefinitionException ex)
            {
                throw ex.Within(file.Path, where);
            }
        }

        return await StoreGate.WriteAsync(store, async db =>
        {
            var savedSchedules = new List<SavedTrigger<ScheduleRecord>>();
            foreach (var record in schedules)
            {
                savedSchedules.Add(await SaveAsync(db, record, createdBy, cancellationToken).ConfigureAwait(false));
            }

            var savedWatches = new List<SavedTrigger<FileWatchRecord>>();
            foreach (var record in watches)
            {
                savedWatches.Add(await SaveAsync(db, record, createdBy, cancellationToken).ConfigureAwait(false));
            }

            return new TriggersFileResult(savedSchedules, savedWatches);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a schedule (its firings stay in the history); false if there was none.</summary>
    public Task<bool> RemoveScheduleAsync(string id, CancellationToken cancellationToken = default) => RemoveScheduleAsync(id, null, cancellationToken);

    /// <summary>Removes a schedule, audited as <paramref name="by"/>; false if there was none.</summary>
    public Task<bool> RemoveScheduleAsync(string id, string? by, CancellationToken cancellationToken = default) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var record = await db.Schedules.FindAsync([id], cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return false;
            }

            db.Audit.Add(AuditRecord.Now(by ?? Environment.UserName, "schedule.remove", id, DefinitionReference.Describe(record.WorkflowPath, record.WorkflowId, record.PinnedVersion)));
            db.Schedules.Remove(record);
            return true;
        }, cancellationToken);

    /// <summary>Removes a watch and what it has seen (added again, it starts a run for every file); false if there was none.</summary>
    public Task<bool> RemoveFileWatchAsync(string id, CancellationToken cancellationToken = default) => RemoveFileWatchAsync(id, null, cancellationToken);

    /// <summary>Removes a watch, audited as <paramref name="by"/>; false if there was none.</summary>
    public Task<bool> RemoveFileWatchAsync(string id, string? by, CancellationToken cancellationToken = default) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var record = await db.FileWatches.FindAsync([id], cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return false;
            }

            db.Audit.Add(AuditRecord.Now(by ?? Environment.UserName, "watch.remove", id, record.Folder));

            db.FileWatches.Remove(record);
            db.FileCursors.RemoveRange(await db.FileCursors.Where(c => c.WatchId == id).ToListAsync(cancellationToken).ConfigureAwait(false));
            return true;
        }, cancellationToken);

    /// <summary>
    /// Pauses (disables) or resumes a schedule, audited as <paramref name="by"/> (<c>schedule.pause</c>/<c>schedule.resume</c>);
    /// false if there is none. A running engine drops or adds its Quartz job at its next sync; <see cref="TriggerAdmin.SetScheduleEnabledAsync"/> does it at once.
    /// </summary>
    public Task<bool> SetScheduleEnabledAsync(string id, bool enabled, string? by, CancellationToken cancellationToken = default) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var record = await db.Schedules.FindAsync([id], cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return false;
            }

            db.Audit.Add(AuditRecord.Now(by ?? Environment.UserName, enabled ? "schedule.resume" : "schedule.pause", id, null));
            record.Enabled = enabled;
            record.UpdatedAt = DateTimeOffset.UtcNow;
            return true;
        }, cancellationToken);

    /// <summary>Pauses or resumes a watch (a paused one keeps what it has seen), audited as <paramref name="by"/>; false if there is none.</summary>
    public Task<bool> SetFileWatchEnabledAsync(string id, bool enabled, string? by, CancellationToken cancellationToken = default) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var record = await db.FileWatches.FindAsync([id], cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return false;
            }

            db.Audit.Add(AuditRecord.Now(by ?? Environment.UserName, enabled ? "watch.resume" : "watch.pause", id, null));
            record.Enabled = enabled;
            record.UpdatedAt = DateTimeOffset.UtcNow;
            return true;
        }, cancellationToken);

    /// <summary>Every schedule, by id, with its next firing computed from the cron expression and its latest firing.</summary>
    public async Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateContext();
        var schedules = await db.Schedules.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<ScheduleInfo>();
        foreach (var s in schedules.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            result.Add(new ScheduleInfo(s, s.Enabled ? NextByCron(s.Cron) : null, await LastFiringAsync(db, ScheduleKind, s.Id, cancellationToken).ConfigureAwait(false)));
        }

        return result;
    }

    /// <summary>Every watch, by id, with the number of files it has started runs for and its latest firing.</summary>
    public async Task<IReadOnlyList<FileWatchInfo>> ListFileWatchesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateContext();
        var watches = await db.FileWatches.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<FileWatchInfo>();
        foreach (var w in watches.OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            var seen = await db.FileCursors.CountAsync(c => c.WatchId == w.Id, cancellationToken).ConfigureAwait(false);
            result.Add(new FileWatchInfo(w, seen, await LastFiringAsync(db, WatchKind, w.Id, cancellationToken).ConfigureAwait(false)));
        }

        return result;
    }

    /// <summary>Firings, newest first: of one trigger, of one kind (<c>schedule</c>/<c>watch</c>), or all.</summary>
    public async Task<IReadOnlyList<TriggerFiringRecord>> ListFiringsAsync(string? kind = null, string? id = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateContext();
        var query = db.TriggerFirings.AsNoTracking();
        if (kind is not null)
        {
            query = query.Where(f => f.TriggerKind == kind);
        }

        if (id is not null)
        {
            query = query.Where(f => f.TriggerId == id);
        }

        return await query.OrderByDescending(f => f.Id).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The next time a cron expression fires after now (local time zone, as Quartz's cron triggers), or null.</summary>
    public static DateTimeOffset? NextByCron(string cron) =>
        CronExpression.TryParse(cron, out var expression) ? expression!.GetNextValidTimeAfter(DateTimeOffset.UtcNow) : null;

    /// <summary>
    /// The next <paramref name="count"/> times a cron expression fires (Quartz syntax with seconds, the local time zone),
    /// checked as when a schedule is saved.
    /// </summary>
    /// <exception cref="TriggerDefinitionException">The expression is missing, not Quartz cron syntax, or never fires again (field <c>cron</c>).</exception>
    public static IReadOnlyList<DateTimeOffset> NextFireTimes(string? cron, int count, string trigger = "schedule")
    {
        var expression = CheckCron(cron, trigger);
        var times = new List<DateTimeOffset>(count);
        var after = DateTimeOffset.UtcNow;
        while (times.Count < count && expression.GetNextValidTimeAfter(after) is { } next)
        {
            times.Add(next);
            after = next;
        }

        return times;
    }

    /// <summary>Why a watch's file-name pattern is unusable, or null when it is fine.</summary>
    public static string? GlobProblem(string? glob) => FileGlob.Problem(glob);

    /// <summary>One schedule as stored, or null.</summary>
    public async Task<ScheduleRecord?> FindScheduleAsync(string id, CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        return await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct).ConfigureAwait(false);
    }

    /// <summary>One watch as stored, or null.</summary>
    public async Task<FileWatchRecord?> FindFileWatchAsync(string id, CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        return await db.FileWatches.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, ct).ConfigureAwait(false);
    }

    internal async Task<(List<ScheduleRecord> Schedules, List<FileWatchRecord> Watches)> AllAsync(CancellationToken ct)
    {
        await using var db = store.CreateContext();
        var schedules = await db.Schedules.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        var watches = await db.FileWatches.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        return (schedules, watches);
    }

    internal async Task<Dictionary<string, string>> CursorsAsync(string watchId, CancellationToken ct)
    {
        await using var db = store.CreateContext();
        return await db.FileCursors.AsNoTracking().Where(c => c.WatchId == watchId).ToDictionaryAsync(c => c.RelativePath, c => c.ContentHash, StringComparer.Ordinal, ct).ConfigureAwait(false);
    }

    internal async Task<bool> RunExistsAsync(string? runId, CancellationToken ct)
    {
        if (runId is null)
        {
            return false;
        }

        await using var db = store.CreateContext();
        return await db.Runs.AnyAsync(r => r.Id == runId, ct).ConfigureAwait(false);
    }

    internal Task<TriggerFiringRecord> RecordFiringAsync(string kind, string id, DateTimeOffset time, FiringOutcome outcome, string? message, string? by, CancellationToken ct) =>
        StoreGate.WriteAsync(store, db =>
        {
            var firing = new TriggerFiringRecord { TriggerKind = kind, TriggerId = id, Time = time, Outcome = outcome, Message = message, FiredBy = by };
            db.TriggerFirings.Add(firing);
            return Task.FromResult(firing);
        }, ct);

    internal static Dictionary<string, string> ParametersOf(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    private async Task<ScheduleRecord> PrepareScheduleAsync(ScheduleSpec spec, CancellationToken ct)
    {
        var trigger = $"schedule '{spec.Id}'";
        CheckId(spec.Id, "schedule");
        CheckCron(spec.Cron, trigger);
        var workflow = await WorkflowSource.SnapshotAsync(spec.Workflow, spec.Definition, spec.PinnedVersion, store, catalog, trigger, ct).ConfigureAwait(false);
        CheckParameters(workflow, spec.Parameters, trigger);
        return new ScheduleRecord
        {
            Id = spec.Id, WorkflowPath = workflow.Path, PinnedVersion = workflow.PinnedVersion, WorkflowId = workflow.Definition.Id, DefinitionJson = workflow.Json, DefinitionHash = workflow.Hash,
            Cron = spec.Cron.Trim(), ParametersJson = JsonSerializer.Serialize(spec.Parameters), Misfire = spec.Misfire, AllowOverlap = spec.AllowOverlap, Enabled = spec.Enabled,
        };
    }

    private async Task<FileWatchRecord> PrepareFileWatchAsync(FileWatchSpec spec, CancellationToken ct)
    {
        var trigger = $"watch '{spec.Id}'";
        CheckId(spec.Id, "watch");
        if (string.IsNullOrWhiteSpace(spec.Folder))
        {
            throw new TriggerDefinitionException(trigger, "folder", "a folder is required");
        }

        var folder = Path.GetFullPath(spec.Folder);
        if (!Directory.Exists(folder))
        {
            throw new TriggerDefinitionException(trigger, "folder", $"folder not found: {folder}");
        }

        if (FileGlob.Problem(spec.Glob) is { } globProblem)
        {
            throw new TriggerDefinitionException(trigger, "glob", globProblem);
        }

        if (spec.Settle < TimeSpan.Zero || spec.Settle > MaxInterval)
        {
            throw new TriggerDefinitionException(trigger, "settle", $"must be between 0 and 24h, not {spec.Settle}");
        }

        if (spec.PollInterval < MinPoll || spec.PollInterval > MaxInterval)
        {
            throw new TriggerDefinitionException(trigger, "pollInterval", $"must be between 100ms and 24h, not {spec.PollInterval}");
        }

        var workflow = await WorkflowSource.SnapshotAsync(spec.Workflow, spec.Definition, spec.PinnedVersion, store, catalog, trigger, ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(spec.ParameterName))
        {
            throw new TriggerDefinitionException(trigger, "parameterName", "the name of the workflow parameter that receives the file's path is required");
        }

        if (!workflow.Definition.Parameters.TryGetValue(spec.ParameterName, out var parameter))
        {
            var names = workflow.Definition.Parameters.Count == 0 ? "none" : string.Join(", ", workflow.Definition.Parameters.Keys);
            throw new TriggerDefinitionException(trigger, "parameterName", $"workflow '{workflow.Definition.Id}' has no parameter '{spec.ParameterName}' (it has: {names})");
        }

        if (parameter.Type != DataType.String && parameter.Type != DataType.Json)
        {
            throw new TriggerDefinitionException(trigger, "parameterName", $"parameter '{spec.ParameterName}' of workflow '{workflow.Definition.Id}' is {parameter.Type.Name}; a file path needs string or json");
        }

        if (spec.Parameters.ContainsKey(spec.ParameterName))
        {
            throw new TriggerDefinitionException(trigger, "parameters", $"'{spec.ParameterName}' is the file's parameter; it cannot also be given a fixed value");
        }

        CheckParameters(workflow, new Dictionary<string, string>(spec.Parameters) { [spec.ParameterName] = Path.Combine(folder, "file") }, trigger);
        return new FileWatchRecord
        {
            Id = spec.Id, Folder = folder, Glob = spec.Glob, WorkflowPath = workflow.Path, PinnedVersion = workflow.PinnedVersion, WorkflowId = workflow.Definition.Id, DefinitionJson = workflow.Json,
            DefinitionHash = workflow.Hash, ParameterName = spec.ParameterName, ParametersJson = JsonSerializer.Serialize(spec.Parameters), Settle = spec.Settle,
            PollInterval = spec.PollInterval, Enabled = spec.Enabled,
        };
    }

    private static void CheckId(string? id, string kind)
    {
        if (!Identifiers.IsValid(id))
        {
            throw new TriggerDefinitionException($"{kind} '{id}'", "id", $"must be {Identifiers.Rule}");
        }
    }

    private static CronExpression CheckCron(string? cron, string trigger)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            throw new TriggerDefinitionException(trigger, "cron", "a cron expression is required (Quartz syntax with seconds, e.g. \"0 0 3 * * ?\")");
        }

        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(cron.Trim());
        }
        catch (FormatException ex)
        {
            throw new TriggerDefinitionException(trigger, "cron", $"'{cron}' is not a Quartz cron expression: {ex.Message}");
        }

        if (expression.GetNextValidTimeAfter(DateTimeOffset.UtcNow) is null)
        {
            throw new TriggerDefinitionException(trigger, "cron", $"'{cron}' never fires again");
        }

        return expression;
    }

    private static void CheckParameters(WorkflowSnapshot workflow, IReadOnlyDictionary<string, string> parameters, string trigger)
    {
        var bound = WorkflowValidator.Bind(workflow.Definition, parameters);
        if (!bound.IsValid)
        {
            throw new TriggerDefinitionException(trigger, "parameters", $"do not fit workflow '{workflow.Definition.Id}' ({workflow.Describe})", bound.Problems);
        }
    }

    private static async Task<SavedTrigger<ScheduleRecord>> SaveAsync(RunDbContext db, ScheduleRecord record, string? by, CancellationToken ct)
    {
        // Every change of a trigger is audited, whoever makes it (command line, triggers file, API).
        db.Audit.Add(AuditRecord.Now(by ?? Environment.UserName, "schedule.save", record.Id, $"{DefinitionReference.Describe(record.WorkflowPath, record.WorkflowId, record.PinnedVersion)} at '{record.Cron}'"));
        var now = DateTimeOffset.UtcNow;
        var existing = await db.Schedules.FindAsync([record.Id], ct).ConfigureAwait(false);
        if (existing is null)
        {
            record.CreatedAt = record.UpdatedAt = now;
            record.CreatedBy = by ?? Environment.UserName;
            db.Schedules.Add(record);
            return new SavedTrigger<ScheduleRecord>(record, true);
        }

        existing.WorkflowPath = record.WorkflowPath;
        existing.PinnedVersion = record.PinnedVersion;
        existing.WorkflowId = record.WorkflowId;
        existing.DefinitionJson = record.DefinitionJson;
        existing.DefinitionHash = record.DefinitionHash;
        existing.Cron = record.Cron;
        existing.ParametersJson = record.ParametersJson;
        existing.Misfire = record.Misfire;
        existing.AllowOverlap = record.AllowOverlap;
        existing.Enabled = record.Enabled;
        existing.UpdatedAt = now;
        return new SavedTrigger<ScheduleRecord>(existing, false);
    }

    private static async Task<SavedTrigger<FileWatchRecord>> SaveAsync(RunDbContext db, FileWatchRecord record, string? by, CancellationToken ct)
    {
        db.Audit.Add(AuditRecord.Now(by ?? Environment.UserName, "watch.save", record.Id, $"{DefinitionReference.Describe(record.WorkflowPath, record.WorkflowId, record.PinnedVersion)} on {record.Folder}"));
        var now = DateTimeOffset.UtcNow;
        var existing = await db.FileWatches.FindAsync([record.Id], ct).ConfigureAwait(false);
        if (existing is null)
        {
            record.CreatedAt = record.UpdatedAt = now;
            record.CreatedBy = by ?? Environment.UserName;
            db.FileWatches.Add(record);
            return new SavedTrigger<FileWatchRecord>(record, true);
        }

        if (existing.Folder != record.Folder)
        {
            // Cursors are paths relative to the folder: in another folder they name other files.
            db.FileCursors.RemoveRange(await db.FileCursors.Where(c => c.WatchId == record.Id).ToListAsync(ct).ConfigureAwait(false));
        }

        existing.Folder = record.Folder;
        existing.Glob = record.Glob;
        existing.WorkflowPath = record.WorkflowPath;
        existing.PinnedVersion = record.PinnedVersion;
        existing.WorkflowId = record.WorkflowId;
        existing.DefinitionJson = record.DefinitionJson;
        existing.DefinitionHash = record.DefinitionHash;
        existing.ParameterName = record.ParameterName;
        existing.ParametersJson = record.ParametersJson;
        existing.Settle = record.Settle;
        existing.PollInterval = record.PollInterval;
        existing.Enabled = record.Enabled;
        existing.UpdatedAt = now;
        return new SavedTrigger<FileWatchRecord>(existing, false);
    }

    private static Task<TriggerFiringRecord?> LastFiringAsync(RunDbContext db, string kind, string id, CancellationToken ct) =>
        db.TriggerFirings.AsNoTracking().Where(f => f.TriggerKind == kind && f.TriggerId == id).OrderByDescending(f => f.Id).FirstOrDefaultAsync(ct);
}
