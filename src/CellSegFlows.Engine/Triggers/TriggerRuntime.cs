using System.Collections.Concurrent;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Runtime;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Triggers;

/// <summary>
/// What the trigger jobs do when Quartz fires them: start a run for a schedule's firing, or one run per new
/// or changed settled file of a watched folder. Each start goes through a <see cref="RunAdmission"/>, so the
/// decision (trigger still enabled, no overlap, file content not already run) and its record (the firing, the
/// file's cursor) commit in the same transaction as the run: a crash leaves either both or neither.
/// </summary>
/// <param name="store">The trigger store.</param>
/// <param name="starter">Starts the runs.</param>
/// <param name="beforeFileStart">Called with the watch id just before a file's run is admitted (a test seam for what can
/// happen between a scan's read of the watch and its admission, e.g. a pause).</param>
internal sealed class TriggerRuntime(TriggerStore store, RunStarter starter, Func<string, Task>? beforeFileStart = null)
{
    public const string CronTrigger = "cron";
    public const string AnnotationTrigger = "annotation";

    /// <summary>A schedule fired by hand: a person started the run (the firing journal names the schedule).</summary>
    public const string ManualTrigger = "manual";

    private readonly ConcurrentDictionary<string, WatchMemory> _memories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _scanGates = new(StringComparer.Ordinal);

    public Task FireScheduleAsync(string id, DateTimeOffset fireTime, CancellationToken ct) => FireAsync(id, fireTime, null, ct);

    /// <summary>
    /// Fires a schedule by hand: one run now (trigger <c>manual</c>, started by <paramref name="by"/>), recorded in the
    /// schedule's firing journal with <see cref="TriggerFiringRecord.FiredBy"/>. Overlap is decided as for a timed
    /// firing; a paused schedule may be fired. Null when there is no such schedule.
    /// </summary>
    public async Task<ManualFiring?> FireScheduleNowAsync(string id, string by, CancellationToken ct)
    {
        if (await store.FindScheduleAsync(id, ct).ConfigureAwait(false) is null)
        {
            return null;
        }

        var firing = await FireAsync(id, DateTimeOffset.UtcNow, by, ct).ConfigureAwait(false);
        return new ManualFiring(firing, firing?.RunId is { } runId && firing.Outcome == FiringOutcome.Started ? [runId] : []);
    }

    /// <summary>Scans a watch by hand (also a paused one): files that have settled and are new or changed start their runs now. Null when there is no such watch.</summary>
    public async Task<ManualFiring?> ScanWatchNowAsync(string id, string by, CancellationToken ct)
    {
        if (await store.FindFileWatchAsync(id, ct).ConfigureAwait(false) is null)
        {
            return null;
        }

        return new ManualFiring(null, await ScanAsync(id, by, ct).ConfigureAwait(false));
    }

    public Task ScanWatchAsync(string id, CancellationToken ct) => ScanAsync(id, null, ct);

    private async Task<TriggerFiringRecord?> FireAsync(string id, DateTimeOffset fireTime, string? by, CancellationToken ct)
    {
        var manual = by is not null;
        var schedule = await store.FindScheduleAsync(id, ct).ConfigureAwait(false);
        if (schedule is null || (!manual && !schedule.Enabled))
        {
            return null; // removed or disabled since the trigger was stored; the next sync deletes the job
        }

        var detail = manual ? $"schedule {id}, fired by {by}" : $"{id}@{fireTime.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z";
        string? admitted = null;
        TriggerFiringRecord? recorded = null;
        try
        {
            var workflow = await WorkflowSource.ResolveAsync(store.Store, schedule.WorkflowPath, schedule.WorkflowId, schedule.PinnedVersion, schedule.DefinitionJson, schedule.DefinitionHash, schedule.UpdatedAt, ct).ConfigureAwait(false);
            await starter.StartAsync(
                workflow.Json, workflow.SourceName, TriggerStore.ParametersOf(schedule.ParametersJson), manual ? ManualTrigger : CronTrigger, detail, by ?? $"schedule:{id}",
                async (db, runId, c) =>
                {
                    var current = await db.Schedules.FindAsync([id], c).ConfigureAwait(false);
                    if (current is null || (!manual && !current.Enabled))
                    {
                        return false;
                    }

                    if (!current.AllowOverlap && await RunningRunOfAsync(db, TriggerStore.ScheduleKind, id, c).ConfigureAwait(false) is { } running)
                    {
                        db.TriggerFirings.Add(recorded = Firing(TriggerStore.ScheduleKind, id, fireTime, FiringOutcome.SkippedOverlap, $"run {running} of this schedule is still running", null, by));
                        return false;
                    }

                    db.TriggerFirings.Add(recorded = Firing(TriggerStore.ScheduleKind, id, fireTime, FiringOutcome.Started, workflow.Note, runId, by));
                    admitted = runId;
                    return true;
                },
                ct).ConfigureAwait(false);
            return recorded;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (await store.RunExistsAsync(admitted, ct).ConfigureAwait(false))
            {
                throw; // the run and its firing committed; only scheduling its steps failed (the reconciler at the next start does it)
            }

            return await store.RecordFiringAsync(TriggerStore.ScheduleKind, id, fireTime, FiringOutcome.Failed, Describe(ex), by, ct).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<string>> ScanAsync(string id, string? by, CancellationToken ct)
    {
        // The timed scan (a Quartz job, one at a time) and a scan by hand share the watch's memory: one at a time.
        var gate = _scanGates.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await ScanLockedAsync(id, by, ct).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<IReadOnlyList<string>> ScanLockedAsync(string id, string? by, CancellationToken ct)
    {
        var manual = by is not null;
        var watch = await store.FindFileWatchAsync(id, ct).ConfigureAwait(false);
        if (watch is null || (!manual && !watch.Enabled))
        {
            return [];
        }

        var memory = _memories.GetOrAdd(id, _ => new WatchMemory());
        var where = $"{watch.CreatedAt.UtcTicks}\n{watch.Folder}\n{watch.Glob}"; // removed and added again: a new watch
        if (memory.Where != where)
        {
            memory.Reset(where);
        }

        List<ReadyFile> ready;
        try
        {
            ready = await FileWatchScanner.ScanAsync(watch.Folder, watch.Glob, watch.Settle, memory, DateTimeOffset.UtcNow, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var message = $"cannot scan {watch.Folder}: {ex.Message}";
            if (memory.FirstReport("$folder", message) || manual)
            {
                await store.RecordFiringAsync(TriggerStore.WatchKind, id, DateTimeOffset.UtcNow, FiringOutcome.Failed, message, by, ct).ConfigureAwait(false);
            }

            return [];
        }

        memory.ReportedFailures.Remove("$folder");
        var pending = ready.Where(f => !(memory.Done.TryGetValue(f.Relative, out var done) && done == f.Hash)).ToList();
        if (pending.Count == 0)
        {
            return [];
        }

        var cursors = await store.CursorsAsync(id, ct).ConfigureAwait(false);
        foreach (var file in pending.Where(f => cursors.TryGetValue(f.Relative, out var hash) && hash == f.Hash))
        {
            memory.Done[file.Relative] = file.Hash;
        }

        pending.RemoveAll(f => memory.Done.TryGetValue(f.Relative, out var done) && done == f.Hash);
        if (pending.Count == 0)
        {
            return [];
        }

        ResolvedWorkflow workflow;
        try
        {
            workflow = await WorkflowSource.ResolveAsync(store.Store, watch.WorkflowPath, watch.WorkflowId, watch.PinnedVersion, watch.DefinitionJson, watch.DefinitionHash, watch.UpdatedAt, ct).ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            // The stored definition is gone: every file waits (no cursor), and the failure is recorded once.
            if (memory.FirstReport("$definition", ex.Message) || manual)
            {
                await store.RecordFiringAsync(TriggerStore.WatchKind, id, DateTimeOffset.UtcNow, FiringOutcome.Failed, ex.Message, by, ct).ConfigureAwait(false);
            }

            return [];
        }

        memory.ReportedFailures.Remove("$definition");
        var baseParameters = TriggerStore.ParametersOf(watch.ParametersJson);
        var started = new List<string>();
        foreach (var file in pending)
        {
            if (await StartForFileAsync(watch, file, workflow, baseParameters, memory, by, ct).ConfigureAwait(false) is { } runId)
            {
                started.Add(runId);
            }
        }

        return started;
    }

    private async Task<string?> StartForFileAsync(FileWatchRecord watch, ReadyFile file, ResolvedWorkflow workflow, Dictionary<string, string> baseParameters, WatchMemory memory, string? by, CancellationToken ct)
    {
        var manual = by is not null;
        var id = watch.Id;
        var detail = $"{file.Relative}@{file.Hash[..12]}";
        var parameters = new Dictionary<string, string>(baseParameters, StringComparer.Ordinal) { [watch.ParameterName] = file.Full };
        var now = DateTimeOffset.UtcNow;
        string? admitted = null;
        var startedElsewhere = false;
        try
        {
            if (beforeFileStart is not null)
            {
                await beforeFileStart(id).ConfigureAwait(false);
            }

            await starter.StartAsync(
                workflow.Json, workflow.SourceName, parameters, AnnotationTrigger, detail, by ?? $"watch:{id}",
                async (db, runId, c) =>
                {
                    var current = await db.FileWatches.FindAsync([id], c).ConfigureAwait(false);
                    if (current is null || (!manual && !current.Enabled) || current.Folder != watch.Folder)
                    {
                        return false;
                    }

                    var cursor = await db.FileCursors.FindAsync([id, file.Relative], c).ConfigureAwait(false);
                    if (cursor?.ContentHash == file.Hash)
                    {
                        startedElsewhere = true;
                        return false; // another scan (another process) started it first
                    }

                    if (cursor is null)
                    {
                        db.FileCursors.Add(new FileCursorRecord { WatchId = id, RelativePath = file.Relative, ContentHash = file.Hash, RunId = runId, SeenAt = now });
                    }
                    else
                    {
                        cursor.ContentHash = file.Hash;
                        cursor.RunId = runId;
                        cursor.SeenAt = now;
                    }

                    var message = workflow.Note is null ? detail : $"{detail}; {workflow.Note}";
                    db.TriggerFirings.Add(Firing(TriggerStore.WatchKind, id, now, FiringOutcome.Started, message, runId, by));
                    admitted = runId;
                    return true;
                },
                ct).ConfigureAwait(false);
            if (admitted is not null || startedElsewhere)
            {
                // Refused because the watch was paused, removed or moved meanwhile: the file is not done, so a
                // later scan (a scan by hand of the paused watch too) still starts its run.
                memory.Done[file.Relative] = file.Hash;
            }

            return admitted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (await store.RunExistsAsync(admitted, ct).ConfigureAwait(false))
            {
                throw; // the run and the cursor committed; only scheduling its steps failed
            }

            // No cursor: the file is tried again at the next scan (e.g. once the workflow is fixed), but the
            // same failure of the same content is recorded only once.
            var message = $"{detail}: {Describe(ex)}";
            if (memory.FirstReport($"{file.Relative}@{file.Hash}", Describe(ex)) || manual)
            {
                await store.RecordFiringAsync(TriggerStore.WatchKind, id, now, FiringOutcome.Failed, message, by, ct).ConfigureAwait(false);
            }

            return null;
        }
    }

    private static async Task<string?> RunningRunOfAsync(RunDbContext db, string kind, string id, CancellationToken ct) =>
        await (from f in db.TriggerFirings
               where f.TriggerKind == kind && f.TriggerId == id && f.Outcome == FiringOutcome.Started
               join r in db.Runs on f.RunId equals r.Id
               where r.Status == RunStatus.Running || r.Status == RunStatus.Pending
               select r.Id).FirstOrDefaultAsync(ct).ConfigureAwait(false);

    private static TriggerFiringRecord Firing(string kind, string id, DateTimeOffset time, FiringOutcome outcome, string? message, string? runId, string? by) =>
        new() { TriggerKind = kind, TriggerId = id, Time = time, Outcome = outcome, Message = message, RunId = runId, FiredBy = by };

    private static string Describe(Exception ex) => ex is WorkflowDefinitionException or EngineException ? ex.Message : ErrorText.CauseChain(ex);
}
