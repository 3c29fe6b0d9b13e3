using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Runtime;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Triggers;
using Quartz;

namespace CellSegFlows.Engine.Hosting;

/// <summary>
/// The engine in one process: the run store, the artifact store and a Quartz scheduler that runs the
/// steps of the queues this process serves and fires the triggers (cron schedules, folder watches). Start
/// it, start runs, wait for them, stop it. If the process dies, starting it again recovers interrupted
/// steps and carries on every unfinished run. Triggers are changed through <see cref="Triggers"/>, the
/// workers listed through <see cref="Workers"/>, the history read through <see cref="Runs"/>.
/// </summary>
public sealed class WorkflowEngine : IAsyncDisposable
{
    private readonly IScheduler _scheduler;
    private readonly RunCoordinator _coordinator;
    private readonly RunStarter _starter;
    private readonly TriggerSync _triggerSync;
    private readonly StepExecutor _executor;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _drainRequested = new();
    private Task _triggerLoop = Task.CompletedTask;
    private Task _reconciler = Task.CompletedTask;

    private WorkflowEngine(EngineOptions options, ActivityRegistry registry, StepExecutor executor, IScheduler scheduler, RunCoordinator coordinator, RunStarter starter, IArtifactStore artifacts, TriggerStore triggers, TriggerRuntime triggerRuntime)
    {
        Options = options;
        Registry = registry;
        _scheduler = scheduler;
        _executor = executor;
        _coordinator = coordinator;
        _starter = starter;
        Artifacts = artifacts;
        _triggerSync = new TriggerSync(scheduler, triggers);
        Triggers = new TriggerAdmin(triggers, _triggerSync, triggerRuntime, options.ClientOnly);
        Workers = new WorkerRegistry(options);
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
    /// The schedules and watches: every change through it also brings this engine's Quartz jobs in step at once
    /// (a process without an engine, such as the command line, writes records through <see cref="TriggerStore"/>).
    /// </summary>
    public TriggerAdmin Triggers { get; }

    /// <summary>The workers that have checked in to this run store.</summary>
    public WorkerRegistry Workers { get; }

    /// <summary>
    /// Cancelled when someone asked this worker to drain through the run store (<see cref="WorkerRegistry.RequestDrainAsync(string, CancellationToken)"/>,
    /// <c>worker --drain NAME</c>), seen at a check-in; the process should then call <see cref="DrainAsync"/>.
    /// </summary>
    public CancellationToken DrainRequested => _drainRequested.Token;

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
        var stepScheduler = new DeferredStepScheduler();
        var executor = new StepExecutor(coordinator, registry, artifacts, options.WorkRoot, stepScheduler, options.WorkerName, new DeviceLeases(options.ResolvedGpuDevices), options.HostAccess, new ContentHasher(Path.Combine(Path.GetFullPath(options.Home), "cache", "content-hashes.json")));
        var starter = new RunStarter(coordinator, registry, stepScheduler, options.Limits);
        var triggerRuntime = new TriggerRuntime(triggers, starter);
        var scheduler = await SchedulerFactory.CreateAsync(options, executor, triggerRuntime, cancellationToken).ConfigureAwait(false);
        stepScheduler.Scheduler = scheduler;
        var engine = new WorkflowEngine(options, registry, executor, scheduler, coordinator, starter, artifacts, triggers, triggerRuntime);
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
            await engine.Workers.CheckInAsync(stopped: false, cancellationToken, starting: true).ConfigureAwait(false);
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
    /// Drains this process before it stops: it takes no new step or trigger (Quartz standby) and waits up to
    /// <paramref name="timeout"/> for its running steps to finish; then it stops. Steps still running at the deadline
    /// are handed back: the scheduler stops without waiting and, once the process has exited, the job store gives them
    /// to another worker (clustered PostgreSQL: within seconds; the SQLite store: at this home's next start), whose
    /// journal records the interrupted attempt. Cancelling <paramref name="cancellationToken"/> ends the wait early
    /// (a second Ctrl+C) and hands back what is still running.
    /// </summary>
    /// <returns>How many steps finished during the drain and how many were handed back.</returns>
    public async Task<DrainResult> DrainAsync(TimeSpan timeout, IProgress<int>? running = null, CancellationToken cancellationToken = default)
    {
        if (_scheduler.Status is not (SchedulerStatus.Shutdown or SchedulerStatus.ShuttingDown))
        {
            await _scheduler.Standby(CancellationToken.None).ConfigureAwait(false);
            IsPaused = true;
        }

        if (!Options.ClientOnly && Workers.CheckedIn)
        {
            try
            {
                await Workers.MarkDrainingAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The store is unreachable: the drain goes on; the operations view shows the worker alive until it stops.
            }
        }

        var deadline = DateTimeOffset.UtcNow + timeout;
        var atStart = -1;
        var left = 0;
        while (_scheduler.Status is not (SchedulerStatus.Shutdown or SchedulerStatus.ShuttingDown))
        {
            left = _executor.Running;
            atStart = atStart < 0 ? left : atStart;
            running?.Report(left);
            if (left == 0 || DateTimeOffset.UtcNow >= deadline || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Asked to stop waiting: what runs now is handed back below.
            }
        }

        await StopAsync(waitForSteps: left == 0).ConfigureAwait(false);
        return new DrainResult(Math.Max(0, atStart - left), left);
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
        if (!Options.ClientOnly && Workers.CheckedIn)
        {
            try
            {
                await Workers.CheckInAsync(stopped: true, CancellationToken.None).ConfigureAwait(false);
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
        _drainRequested.Dispose();
    }

    private async Task SyncTriggersPeriodicallyAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Options.TriggerSyncInterval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            try
            {
                if (await Workers.CheckInAsync(stopped: false, ct).ConfigureAwait(false) && !_drainRequested.IsCancellationRequested)
                {
                    await _drainRequested.CancelAsync().ConfigureAwait(false);
                }

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
}

/// <summary>What a drain did: steps that finished while it waited, and steps still running at its deadline (handed back).</summary>
/// <param name="Finished">Steps that were running when the drain began and finished before its deadline.</param>
/// <param name="HandedBack">Steps still running at the deadline: the job store gives them to another worker once this process has exited.</param>
public sealed record DrainResult(int Finished, int HandedBack);
