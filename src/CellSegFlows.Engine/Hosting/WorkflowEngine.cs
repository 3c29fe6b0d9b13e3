using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Runtime;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Triggers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CellSegFlows.Engine.Hosting;

/// <summary>
/// The engine in one process: the run store, the artifact store and a Quartz scheduler that runs the
/// steps of the queues this process serves and fires the triggers (cron schedules, folder watches). Start
/// it, start runs, wait for them, stop it. If the process dies, starting it again recovers interrupted
/// steps and carries on every unfinished run.
/// </summary>
public sealed class WorkflowEngine : IAsyncDisposable
{
    private readonly IScheduler _scheduler;
    private readonly RunCoordinator _coordinator;
    private readonly RunStarter _starter;
    private readonly TriggerSync _triggerSync;
    private readonly TriggerRuntime _triggerRuntime;
    private readonly CancellationTokenSource _stopping = new();
    private Task _triggerLoop = Task.CompletedTask;
    private Task _reconciler = Task.CompletedTask;
    private bool _started;

    private WorkflowEngine(EngineOptions options, ActivityRegistry registry, IScheduler scheduler, RunCoordinator coordinator, RunStarter starter, IArtifactStore artifacts, TriggerStore triggers, TriggerRuntime triggerRuntime)
    {
        _triggerRuntime = triggerRuntime;
        Options = options;
        Registry = registry;
        _scheduler = scheduler;
        _coordinator = coordinator;
        _starter = starter;
        Artifacts = artifacts;
        Triggers = triggers;
        _triggerSync = new TriggerSync(scheduler, triggers);
        Runs = new RunQueries(options.ResolvedRunStore);
    }

    /// <summary>The options it runs with.</summary>
    public EngineOptions Options { get; }

    /// <summary>The activities this process can run.</summary>
    public ActivityRegistry Registry { get; }

    /// <summary>The artifact store.</summary>
    public IArtifactStore Artifacts { get; }

    /// <summary>Read access to the run history.</summary>
    public RunQueries Runs { get; }

    /// <summary>
    /// The schedules and watches in the run store: reads, and changes without the Quartz side (for processes with no
    /// scheduler, such as the command line; a running engine picks those up within <see cref="EngineOptions.TriggerSyncInterval"/>).
    /// In an engine, change triggers through the engine's own methods (<see cref="AddScheduleAsync"/>, <see cref="RemoveScheduleAsync(string, string?, CancellationToken)"/>,
    /// <see cref="SetScheduleEnabledAsync"/>, <see cref="AddFileWatchAsync"/>, …): they also bring Quartz in step at once.
    /// </summary>
    public TriggerStore Triggers { get; }

    /// <summary>
    /// Migrates the run store, applies <see cref="EngineOptions.TriggersFile"/>, starts the scheduler (which
    /// recovers steps a crashed process left running), reconciles unfinished runs so no ready step is left
    /// without a job, and (unless client-only) gives every enabled schedule and watch its Quartz job.
    /// </summary>
    /// <exception cref="TriggerDefinitionException">The triggers file or one of its triggers is invalid.</exception>
    public static async Task<WorkflowEngine> StartAsync(EngineOptions options, ActivityRegistry registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        Directory.CreateDirectory(options.Home);
        var store = options.ResolvedRunStore;
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var triggers = new TriggerStore(store, registry);
        if (options.TriggersFile is { } triggersFile)
        {
            await triggers.ApplyFileAsync(triggersFile, null, cancellationToken).ConfigureAwait(false);
        }

        var artifacts = new LocalArtifactStore(options.ResolvedArtifactRoot);
        var coordinator = new RunCoordinator(store, registry, options.Limits);
        var quartzFile = Path.Combine(Path.GetFullPath(options.Home), "quartz.db");
        if (options.QuartzPostgres is null)
        {
            // Write-ahead logging is a property of the file: set once, Quartz's own connections then use it.
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={quartzFile}");
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var holder = new SchedulerHolder();
        var stepScheduler = new DeferredStepScheduler(holder);
        var executor = new StepExecutor(coordinator, registry, artifacts, options.WorkRoot, stepScheduler, options.WorkerName, options.Device, options.HostAccess, new ContentHasher(Path.Combine(Path.GetFullPath(options.Home), "cache", "content-hashes.json")));
        var starter = new RunStarter(coordinator, registry, stepScheduler, options.Limits);
        var triggerRuntime = new TriggerRuntime(triggers, starter);
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.Services.AddSingleton(executor);
            q.Services.AddTransient<StepJob>();
            q.Services.AddSingleton(triggerRuntime);
            q.Services.AddTransient<ScheduleFiringJob>();
            q.Services.AddTransient<FileWatchJob>();
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "cellsegflows";

                // Jobs added by another process (a client, another node) are seen within a second, not 30.
                o.IdleWaitTime = TimeSpan.FromSeconds(1);
                if (options.QuartzPostgres is not null)
                {
                    o.InstanceId = options.WorkerName;
                }
            });
            q.UseDefaultThreadPool(maxConcurrency: options.Threads);
            q.ServeExecutionGroups(options.ClientOnly ? ["none"] : [.. options.Queues, TriggerSync.ExecutionGroup]);
            q.UseExecutionLimits(l => l.ForGroup("gpu", options.GpuSlots));
            q.UsePersistentStore(s =>
            {
                if (options.QuartzPostgres is { } pg)
                {
                    s.UsePostgres(pg);
                    s.UseClustering(c =>
                    {
                        c.CheckinInterval = TimeSpan.FromSeconds(2);
                        c.CheckinMisfireThreshold = TimeSpan.FromSeconds(2);
                    });
                }
                else
                {
                    // Quartz's connections come from a data source that sets synchronous=NORMAL on each: see
                    // SqliteJobStoreDataSource for why that is safe against a killed process and what it risks.
                    var connectionString = $"Data Source={quartzFile}";
                    s.UseSqlite(d =>
                    {
                        d.ConnectionString = connectionString;
                        d.DataSourceFactory = _ => new SqliteJobStoreDataSource(connectionString);
                    });
                }

                s.UseSystemTextJsonSerializer();
                s.ProvisionSchema();
                s.ConfigureStore(o =>
                {
                    o.MisfireThreshold = TimeSpan.FromSeconds(5);

                    // A recovered job's trigger carries the original fire time, so it is already misfired and
                    // waits for the misfire handler's next pass (every MisfireThreshold by default): one pass a
                    // second cuts a dead worker's takeover from about 8 s to about 4 s.
                    o.MisfireHandlerFrequency = TimeSpan.FromSeconds(1);
                });
            });
        }).BuildScheduler().ConfigureAwait(false);
        holder.Scheduler = scheduler;
        var engine = new WorkflowEngine(options, registry, scheduler, coordinator, starter, artifacts, triggers, triggerRuntime);
        if (options.ClientOnly && options.QuartzPostgres is null)
        {
            // A client next to a worker on the one-process SQLite job store must not start its scheduler:
            // starting recovers "interrupted" jobs, which here would be the worker's running steps. It only
            // adds jobs to the store, which the worker's scheduler picks up at its next poll.
            return engine;
        }

        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        await engine.ReconcileAsync(null, cancellationToken).ConfigureAwait(false);
        if (!options.ClientOnly)
        {
            await engine.CheckInAsync(stopped: false, cancellationToken).ConfigureAwait(false);
            await engine._triggerSync.SyncAllAsync(cancellationToken).ConfigureAwait(false);
            engine._triggerLoop = engine.SyncTriggersPeriodicallyAsync(engine._stopping.Token);
            if (options.ReconcileInterval > TimeSpan.Zero)
            {
                engine._reconciler = Task.Run(() => engine.ReconcileLoopAsync(options.ReconcileInterval));
            }
        }

        return engine;
    }

    /// <summary>Validates a definition, binds parameters, records the version and the run, and schedules its first steps.</summary>
    /// <exception cref="WorkflowDefinitionException">The definition or a parameter is invalid (every problem listed).</exception>
    public async Task<string> StartRunAsync(
        string definitionJson,
        string sourceName,
        IReadOnlyDictionary<string, string> parameters,
        string trigger = "manual",
        string? triggerDetail = null,
        string? startedBy = null,
        CancellationToken cancellationToken = default)
    {
        var runId = await _starter.StartAsync(definitionJson, sourceName, parameters, trigger, triggerDetail, startedBy, null, cancellationToken).ConfigureAwait(false);
        return runId!;
    }

    /// <summary>Waits until the run reaches a final status, reporting snapshots about every 200 ms.</summary>
    public async Task<RunRecord> WaitForRunAsync(string runId, IProgress<RunSnapshot>? progress = null, CancellationToken cancellationToken = default)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (true)
        {
            // Without a progress sink only the run row is read: a snapshot of a 10,000-step run every
            // 200 ms would cost the workers more than the steps themselves.
            var run = progress is null
                ? await Runs.RunAsync(runId, cancellationToken).ConfigureAwait(false)
                : Report(await Runs.SnapshotAsync(runId, cancellationToken).ConfigureAwait(false), progress);
            if (run.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled)
            {
                return run;
            }

            await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }

        static RunRecord Report(RunSnapshot snapshot, IProgress<RunSnapshot> sink)
        {
            sink.Report(snapshot);
            return snapshot.Run;
        }
    }

    /// <summary>Asks a run to stop: pending steps are cancelled, running ones see it within a second.</summary>
    public Task<bool> CancelRunAsync(string runId, string? by = null, CancellationToken cancellationToken = default) =>
        _coordinator.CancelRunAsync(runId, by, cancellationToken);

    /// <summary>
    /// Retry from the failed step: the failed run continues with its succeeded steps kept; the failed steps run
    /// again (further attempts in the same journal) and what was skipped because of them runs after. False when
    /// the run has not failed.
    /// </summary>
    /// <exception cref="EngineException">No such run.</exception>
    public async Task<bool> RetryRunAsync(string runId, string? by = null, CancellationToken cancellationToken = default)
    {
        var ready = await _coordinator.RetryRunAsync(runId, by, cancellationToken).ConfigureAwait(false);
        if (ready is null)
        {
            return false;
        }

        await _starter.ScheduleAsync(ready, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The run store (definitions, runs, users, audit, workers), for queries beyond <see cref="Runs"/>.</summary>
    public RunStoreOptions Store => Options.ResolvedRunStore;

    /// <summary>Schedules every ready or interrupted step of an unfinished run (or of all, for null).</summary>
    public async Task ReconcileAsync(string? runId, CancellationToken cancellationToken = default)
    {
        var ready = await _coordinator.ReconcileAsync(runId, cancellationToken).ConfigureAwait(false);
        await _starter.ScheduleAsync(ready, cancellationToken).ConfigureAwait(false);
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
        var saved = await Triggers.AddScheduleAsync(spec, createdBy, cancellationToken).ConfigureAwait(false);
        await _triggerSync.SyncScheduleAsync(saved.Record.Id, cancellationToken).ConfigureAwait(false);
        return (await ListSchedulesAsync(cancellationToken).ConfigureAwait(false)).Single(s => s.Schedule.Id == saved.Record.Id);
    }

    /// <summary>Removes a schedule and its Quartz job; no run starts for it once this returns. False if there was none.</summary>
    public Task<bool> RemoveScheduleAsync(string id, CancellationToken cancellationToken = default) => RemoveScheduleAsync(id, null, cancellationToken);

    /// <summary>Removes a schedule and its Quartz job, audited as <paramref name="by"/>; false if there was none.</summary>
    public async Task<bool> RemoveScheduleAsync(string id, string? by, CancellationToken cancellationToken = default)
    {
        var removed = await Triggers.RemoveScheduleAsync(id, by, cancellationToken).ConfigureAwait(false);
        await _triggerSync.SyncScheduleAsync(id, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Every schedule with Quartz's next fire time (null when disabled) and its latest firing.</summary>
    public async Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(CancellationToken cancellationToken = default)
    {
        var list = await Triggers.ListSchedulesAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<ScheduleInfo>(list.Count);
        foreach (var info in list)
        {
            result.Add(info with { NextFireTime = info.Schedule.Enabled ? await _triggerSync.NextFireTimeAsync(info.Schedule.Id, cancellationToken).ConfigureAwait(false) : null });
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
        var saved = await Triggers.AddFileWatchAsync(spec, createdBy, cancellationToken).ConfigureAwait(false);
        await _triggerSync.SyncWatchAsync(saved.Record.Id, cancellationToken).ConfigureAwait(false);
        return (await ListFileWatchesAsync(cancellationToken).ConfigureAwait(false)).Single(w => w.Watch.Id == saved.Record.Id);
    }

    /// <summary>Removes a watch, its Quartz job and what it has seen; false if there was none.</summary>
    public Task<bool> RemoveFileWatchAsync(string id, CancellationToken cancellationToken = default) => RemoveFileWatchAsync(id, null, cancellationToken);

    /// <summary>Removes a watch, its Quartz job and what it has seen, audited as <paramref name="by"/>; false if there was none.</summary>
    public async Task<bool> RemoveFileWatchAsync(string id, string? by, CancellationToken cancellationToken = default)
    {
        var removed = await Triggers.RemoveFileWatchAsync(id, by, cancellationToken).ConfigureAwait(false);
        await _triggerSync.SyncWatchAsync(id, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Every watch with the number of files it has started runs for and its latest firing.</summary>
    public Task<IReadOnlyList<FileWatchInfo>> ListFileWatchesAsync(CancellationToken cancellationToken = default) =>
        Triggers.ListFileWatchesAsync(cancellationToken);

    /// <summary>Firings of schedules and watches, newest first (of one trigger when <paramref name="id"/> is given).</summary>
    public Task<IReadOnlyList<TriggerFiringRecord>> ListFiringsAsync(string? kind = null, string? id = null, int limit = 50, CancellationToken cancellationToken = default) =>
        Triggers.ListFiringsAsync(kind, id, limit, cancellationToken);

    /// <summary>Adds or updates every schedule and watch of a triggers file (by id; others are left alone) and syncs their jobs.</summary>
    /// <exception cref="TriggerDefinitionException">The file or one of its triggers is invalid; nothing was saved.</exception>
    public async Task<TriggersFileResult> ApplyTriggersFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var result = await Triggers.ApplyFileAsync(path, null, cancellationToken).ConfigureAwait(false);
        await _triggerSync.SyncAllAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Stops the scheduler, letting running steps finish when <paramref name="waitForSteps"/> is true.</summary>
    public async Task StopAsync(bool waitForSteps = true)
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await _triggerLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _reconciler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!Options.ClientOnly && _started)
        {
            try
            {
                await CheckInAsync(stopped: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The store is gone (e.g. a test removed its folder): the worker row just ages.
            }
        }

        if (_scheduler.Status is not (SchedulerStatus.Shutdown or SchedulerStatus.ShuttingDown))
        {
            await _scheduler.Shutdown(waitForSteps).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(waitForSteps: true).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task SyncTriggersPeriodicallyAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Options.TriggerSyncInterval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                await CheckInAsync(stopped: false, ct).ConfigureAwait(false);
                await _triggerSync.SyncAllAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A store briefly unavailable: the next tick tries again; the jobs already in Quartz keep firing.
            }
        }
    }

    /// <summary>
    /// Re-checks unfinished runs now and then, so a step left without a job (its successor's job could
    /// not be created, or a worker stopped without waiting) is picked up without restarting anything.
    /// </summary>
    private async Task ReconcileLoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await ReconcileAsync(null, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed pass (store briefly unavailable) is retried at the next tick.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Whether Quartz is in standby (paused): no new step or trigger fires until resumed; running steps go on.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>
    /// Pauses this process's scheduler (Quartz standby): steps already running finish, nothing new starts and no
    /// trigger fires here until <see cref="ResumeAsync"/>. Jobs keep accumulating and run after resuming.
    /// </summary>
    public async Task PauseAsync(CancellationToken cancellationToken = default)
    {
        await _scheduler.Standby(cancellationToken).ConfigureAwait(false);
        IsPaused = true;
    }

    /// <summary>Resumes a paused scheduler.</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken = default)
    {
        await _scheduler.Start(cancellationToken).ConfigureAwait(false);
        IsPaused = false;
    }

    /// <summary>
    /// Resumes or pauses a schedule (a paused one keeps its record but has no Quartz job), audited as <paramref name="by"/>
    /// (<c>schedule.resume</c>/<c>schedule.pause</c>); false if there is none.
    /// </summary>
    public async Task<bool> SetScheduleEnabledAsync(string id, bool enabled, string? by = null, CancellationToken cancellationToken = default)
    {
        var found = await Triggers.SetScheduleEnabledAsync(id, enabled, by, cancellationToken).ConfigureAwait(false);
        if (found && !Options.ClientOnly)
        {
            await _triggerSync.SyncScheduleAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return found;
    }

    /// <summary>Resumes or pauses a watch (a paused one keeps what it has seen but is not scanned), audited as <paramref name="by"/>; false if there is none.</summary>
    public async Task<bool> SetFileWatchEnabledAsync(string id, bool enabled, string? by = null, CancellationToken cancellationToken = default)
    {
        var found = await Triggers.SetFileWatchEnabledAsync(id, enabled, by, cancellationToken).ConfigureAwait(false);
        if (found && !Options.ClientOnly)
        {
            await _triggerSync.SyncWatchAsync(id, cancellationToken).ConfigureAwait(false);
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
        var fired = await _triggerRuntime.FireScheduleNowAsync(id, by, cancellationToken).ConfigureAwait(false);
        if (fired is not null)
        {
            await Store.AuditAsync(by, "schedule.fire", id, fired.Firing is { } f ? $"{f.Outcome}{(f.RunId is null ? string.Empty : " " + f.RunId)}" : null, cancellationToken).ConfigureAwait(false);
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
        var scanned = await _triggerRuntime.ScanWatchNowAsync(id, by, cancellationToken).ConfigureAwait(false);
        if (scanned is not null)
        {
            await Store.AuditAsync(by, "watch.scan", id, $"{scanned.RunsStarted.Count} run(s) started", cancellationToken).ConfigureAwait(false);
        }

        return scanned;
    }

    /// <summary>The workers that have checked in to this run store, most recent first.</summary>
    public async Task<IReadOnlyList<WorkerRecord>> ListWorkersAsync(CancellationToken cancellationToken = default)
    {
        await using var db = Store.CreateContext();
        var workers = await db.Workers.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return workers.OrderByDescending(w => w.LastSeenAt).ToList();
    }

    /// <summary>Records that this worker is alive (every trigger-sync interval) or has stopped.</summary>
    private async Task CheckInAsync(bool stopped, CancellationToken ct)
    {
        _started = true;
        var now = DateTimeOffset.UtcNow;
        await Store.WriteAsync(async db =>
        {
            var row = await db.Workers.FindAsync([Options.WorkerName], ct).ConfigureAwait(false);
            if (row is null)
            {
                row = new WorkerRecord { Name = Options.WorkerName, Queues = string.Empty, Device = Options.Device, StartedAt = now };
                db.Workers.Add(row);
            }
            else if (row.StoppedAt is not null && !stopped)
            {
                row.StartedAt = now;
            }

            // Workers are named host:pid, so every restart adds a row: forget those silent for a week.
            var forgotten = now - TimeSpan.FromDays(7);
            foreach (var old in await db.Workers.Where(w => w.Name != Options.WorkerName).ToListAsync(ct).ConfigureAwait(false))
            {
                if (old.LastSeenAt < forgotten)
                {
                    db.Workers.Remove(old);
                }
            }

            row.Queues = string.Join(",", Options.Queues);
            row.Device = Options.Device;
            row.Threads = Options.Threads;
            row.LastSeenAt = now;
            row.StoppedAt = stopped ? now : null;
            return true;
        }, ct).ConfigureAwait(false);
    }

    private sealed class SchedulerHolder
    {
        public IScheduler? Scheduler { get; set; }
    }

    /// <summary>Breaks the construction cycle executor → scheduler → executor.</summary>
    private sealed class DeferredStepScheduler(SchedulerHolder holder) : IStepScheduler
    {
        public Task ScheduleAsync(IReadOnlyCollection<ReadyStep> steps, CancellationToken cancellationToken) =>
            steps.Count == 0
                ? Task.CompletedTask
                : new QuartzStepScheduler(holder.Scheduler ?? throw new InvalidOperationException("scheduler not started")).ScheduleAsync(steps, cancellationToken);
    }
}
