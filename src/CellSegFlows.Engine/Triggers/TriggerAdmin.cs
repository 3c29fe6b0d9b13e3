using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Triggers;

/// <summary>
/// The schedules and watches of a running engine (<see cref="Hosting.WorkflowEngine.Triggers"/>): every change is
/// saved in the run store and brings this engine's Quartz jobs in step at once, so a removed trigger fires no more
/// once the call returns. A process with no engine (the command line) writes records through <see cref="TriggerStore"/>
/// instead, and running engines pick those up within <see cref="Hosting.EngineOptions.TriggerSyncInterval"/>.
/// </summary>
public sealed class TriggerAdmin
{
    private readonly TriggerStore _store;
    private readonly TriggerSync _sync;
    private readonly TriggerRuntime _runtime;
    private readonly bool _clientOnly;

    internal TriggerAdmin(TriggerStore store, TriggerSync sync, TriggerRuntime runtime, bool clientOnly)
    {
        _store = store;
        _sync = sync;
        _runtime = runtime;
        _clientOnly = clientOnly;
    }

    /// <summary>
    /// Adds a cron schedule, or updates the one with the same id, and gives it its Quartz job. Each firing
    /// starts a run with trigger <c>cron</c> and trigger detail <c>ID@FIRE_TIME</c>, reading the workflow file
    /// again (the snapshot taken now runs if the file is gone). Schedules fire only while an engine that is not
    /// client-only runs on this store.
    /// </summary>
    /// <exception cref="TriggerDefinitionException">A field is invalid: the message names it.</exception>
    public async Task<ScheduleInfo> AddScheduleAsync(ScheduleSpec spec, string? createdBy = null, CancellationToken cancellationToken = default)
    {
        var saved = await _store.AddScheduleAsync(spec, createdBy, cancellationToken).ConfigureAwait(false);
        await _sync.SyncScheduleAsync(saved.Record.Id, cancellationToken).ConfigureAwait(false);
        return (await ListSchedulesAsync(cancellationToken).ConfigureAwait(false)).Single(s => s.Schedule.Id == saved.Record.Id);
    }

    /// <summary>Removes a schedule and its Quartz job; no run starts for it once this returns. False if there was none.</summary>
    public Task<bool> RemoveScheduleAsync(string id, CancellationToken cancellationToken = default) => RemoveScheduleAsync(id, null, cancellationToken);

    /// <summary>Removes a schedule and its Quartz job, audited as <paramref name="by"/>; false if there was none.</summary>
    public async Task<bool> RemoveScheduleAsync(string id, string? by, CancellationToken cancellationToken = default)
    {
        var removed = await _store.RemoveScheduleAsync(id, by, cancellationToken).ConfigureAwait(false);
        await _sync.SyncScheduleAsync(id, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Every schedule with Quartz's next fire time (null when disabled) and its latest firing.</summary>
    public async Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(CancellationToken cancellationToken = default)
    {
        var list = await _store.ListSchedulesAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<ScheduleInfo>(list.Count);
        foreach (var info in list)
        {
            result.Add(info with { NextFireTime = info.Schedule.Enabled ? await _sync.NextFireTimeAsync(info.Schedule.Id, cancellationToken).ConfigureAwait(false) : null });
        }

        return result;
    }

    /// <summary>
    /// Adds a folder watch, or updates the one with the same id, and gives it its Quartz job. Each file matching
    /// the glob whose size and modification time have settled starts one run per content (trigger
    /// <c>annotation</c>, detail <c>PATH@SHA256[:12]</c>) with its path as the named parameter.
    /// </summary>
    /// <exception cref="TriggerDefinitionException">A field is invalid: the message names it.</exception>
    public async Task<FileWatchInfo> AddFileWatchAsync(FileWatchSpec spec, string? createdBy = null, CancellationToken cancellationToken = default)
    {
        var saved = await _store.AddFileWatchAsync(spec, createdBy, cancellationToken).ConfigureAwait(false);
        await _sync.SyncWatchAsync(saved.Record.Id, cancellationToken).ConfigureAwait(false);
        return (await ListFileWatchesAsync(cancellationToken).ConfigureAwait(false)).Single(w => w.Watch.Id == saved.Record.Id);
    }

    /// <summary>Removes a watch, its Quartz job and what it has seen; false if there was none.</summary>
    public Task<bool> RemoveFileWatchAsync(string id, CancellationToken cancellationToken = default) => RemoveFileWatchAsync(id, null, cancellationToken);

    /// <summary>Removes a watch, its Quartz job and what it has seen, audited as <paramref name="by"/>; false if there was none.</summary>
    public async Task<bool> RemoveFileWatchAsync(string id, string? by, CancellationToken cancellationToken = default)
    {
        var removed = await _store.RemoveFileWatchAsync(id, by, cancellationToken).ConfigureAwait(false);
        await _sync.SyncWatchAsync(id, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Every watch with the number of files it has started runs for and its latest firing.</summary>
    public Task<IReadOnlyList<FileWatchInfo>> ListFileWatchesAsync(CancellationToken cancellationToken = default) =>
        _store.ListFileWatchesAsync(cancellationToken);

    /// <summary>One schedule as stored, or null.</summary>
    public Task<ScheduleRecord?> FindScheduleAsync(string id, CancellationToken cancellationToken = default) =>
        _store.FindScheduleAsync(id, cancellationToken);

    /// <summary>One watch as stored, or null.</summary>
    public Task<FileWatchRecord?> FindFileWatchAsync(string id, CancellationToken cancellationToken = default) =>
        _store.FindFileWatchAsync(id, cancellationToken);

    /// <summary>Firings of schedules and watches, newest first (of one trigger when <paramref name="id"/> is given).</summary>
    public Task<IReadOnlyList<TriggerFiringRecord>> ListFiringsAsync(string? kind = null, string? id = null, int limit = 50, CancellationToken cancellationToken = default) =>
        _store.ListFiringsAsync(kind, id, limit, cancellationToken);

    /// <summary>Adds or updates every schedule and watch of a triggers file (by id; others are left alone) and syncs their jobs.</summary>
    /// <exception cref="TriggerDefinitionException">The file or one of its triggers is invalid; nothing was saved.</exception>
    public async Task<TriggersFileResult> ApplyFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var result = await _store.ApplyFileAsync(path, null, cancellationToken).ConfigureAwait(false);
        await _sync.SyncAllAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Resumes or pauses a schedule (a paused one keeps its record but has no Quartz job), audited as <paramref name="by"/>
    /// (<c>schedule.resume</c>/<c>schedule.pause</c>); false if there is none.
    /// </summary>
    public async Task<bool> SetScheduleEnabledAsync(string id, bool enabled, string? by = null, CancellationToken cancellationToken = default)
    {
        var found = await _store.SetScheduleEnabledAsync(id, enabled, by, cancellationToken).ConfigureAwait(false);
        if (found && !_clientOnly)
        {
            await _sync.SyncScheduleAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return found;
    }

    /// <summary>Resumes or pauses a watch (a paused one keeps what it has seen but is not scanned), audited as <paramref name="by"/>; false if there is none.</summary>
    public async Task<bool> SetFileWatchEnabledAsync(string id, bool enabled, string? by = null, CancellationToken cancellationToken = default)
    {
        var found = await _store.SetFileWatchEnabledAsync(id, enabled, by, cancellationToken).ConfigureAwait(false);
        if (found && !_clientOnly)
        {
            await _sync.SyncWatchAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return found;
    }

    /// <summary>
    /// Fires a schedule now, by hand (a paused one too): one run of its workflow with its parameters (trigger <c>manual</c>,
    /// started by <paramref name="by"/>), recorded in its firing journal with <see cref="TriggerFiringRecord.FiredBy"/>.
    /// Overlap is decided as for a timed firing. Null when there is no such schedule.
    /// </summary>
    public async Task<ManualFiring?> FireScheduleNowAsync(string id, string by, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        var fired = await _runtime.FireScheduleNowAsync(id, by, cancellationToken).ConfigureAwait(false);
        if (fired is not null)
        {
            await _store.Store.AuditAsync(by, "schedule.fire", id, fired.Firing is { } f ? $"{f.Outcome}{(f.RunId is null ? string.Empty : " " + f.RunId)}" : null, cancellationToken).ConfigureAwait(false);
        }

        return fired;
    }

    /// <summary>
    /// Scans a watch's folder now, by hand (a paused one too): each settled file that is new or changed starts its run
    /// (a file seen for the first time needs the settle time, as always). Null when there is no such watch.
    /// </summary>
    public async Task<ManualFiring?> ScanFileWatchNowAsync(string id, string by, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        var scanned = await _runtime.ScanWatchNowAsync(id, by, cancellationToken).ConfigureAwait(false);
        if (scanned is not null)
        {
            await _store.Store.AuditAsync(by, "watch.scan", id, $"{scanned.RunsStarted.Count} run(s) started", cancellationToken).ConfigureAwait(false);
        }

        return scanned;
    }
}
