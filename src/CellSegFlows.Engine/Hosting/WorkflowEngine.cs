using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Runtime;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CellSegFlows.Engine.Hosting;

/// <summary>
/// The engine in one process: the run store, the artifact store and a Quartz scheduler that runs the
/// steps of the queues this process serves. Start it, start runs, wait for them, stop it. If the
/// process dies, starting it again recovers interrupted steps and carries on every unfinished run.
/// </summary>
public sealed class WorkflowEngine : IAsyncDisposable
{
    private readonly IScheduler _scheduler;
    private readonly RunCoordinator _coordinator;
    private readonly IStepScheduler _steps;
    private readonly CancellationTokenSource _stop = new();
    private Task? _reconciler;

    private WorkflowEngine(EngineOptions options, ActivityRegistry registry, IScheduler scheduler, RunCoordinator coordinator, IStepScheduler steps, IArtifactStore artifacts)
    {
        Options = options;
        Registry = registry;
        _scheduler = scheduler;
        _coordinator = coordinator;
        _steps = steps;
        Artifacts = artifacts;
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
    /// Migrates the run store, starts the scheduler (which recovers steps a crashed process left
    /// running), and reconciles unfinished runs so no ready step is left without a job.
    /// </summary>
    public static async Task<WorkflowEngine> StartAsync(EngineOptions options, ActivityRegistry registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        Directory.CreateDirectory(options.Home);
        var store = options.ResolvedRunStore;
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var artifacts = new LocalArtifactStore(options.ResolvedArtifactRoot);
        var coordinator = new RunCoordinator(store, registry);
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
        var executor = new StepExecutor(coordinator, registry, artifacts, options.WorkRoot, stepScheduler, options.WorkerName, options.Device);
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.Services.AddSingleton(executor);
            q.Services.AddTransient<StepJob>();
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "cellsegflows";
                if (options.QuartzPostgres is not null)
                {
                    o.InstanceId = options.WorkerName;
                    o.IdleWaitTime = TimeSpan.FromSeconds(1);
                }
            });
            q.UseDefaultThreadPool(maxConcurrency: options.Threads);
            q.ServeExecutionGroups(options.ClientOnly ? ["none"] : [.. options.Queues]);
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
                    s.UseSqlite($"Data Source={quartzFile}");
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
        var engine = new WorkflowEngine(options, registry, scheduler, coordinator, stepScheduler, artifacts);
        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        await engine.ReconcileAsync(null, cancellationToken).ConfigureAwait(false);
        if (!options.ClientOnly && options.ReconcileInterval > TimeSpan.Zero)
        {
            engine._reconciler = Task.Run(() => engine.ReconcileLoopAsync(options.ReconcileInterval));
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
        var definition = WorkflowDefinitionReader.Parse(definitionJson, sourceName);
        var problems = WorkflowValidator.Validate(definition, Registry).ToList();
        var bound = WorkflowValidator.Bind(definition, parameters);
        problems.AddRange(bound.Problems);
        if (problems.Count > 0)
        {
            throw new WorkflowDefinitionException(sourceName, problems);
        }

        var values = new JsonObject();
        foreach (var (name, value) in bound.Values)
        {
            values[name] = value?.DeepClone();
        }

        var hash = DefinitionHash.Compute(definition);
        var (runId, ready) = await _coordinator.CreateRunAsync(definitionJson, definition, hash, values, trigger, triggerDetail, startedBy ?? Environment.UserName, cancellationToken).ConfigureAwait(false);
        await _steps.ScheduleAsync(ready, cancellationToken).ConfigureAwait(false);
        return runId;
    }

    /// <summary>Waits until the run reaches a final status, reporting snapshots about every 200 ms.</summary>
    public async Task<RunRecord> WaitForRunAsync(string runId, IProgress<RunSnapshot>? progress = null, CancellationToken cancellationToken = default)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (true)
        {
            var snapshot = await Runs.SnapshotAsync(runId, cancellationToken).ConfigureAwait(false);
            progress?.Report(snapshot);
            if (snapshot.Run.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled)
            {
                return snapshot.Run;
            }

            await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Asks a run to stop: pending steps are cancelled, running ones see it within a second.</summary>
    public Task<bool> CancelRunAsync(string runId, string? by = null, CancellationToken cancellationToken = default) =>
        _coordinator.CancelRunAsync(runId, by, cancellationToken);

    /// <summary>Schedules every ready or interrupted step of an unfinished run (or of all, for null).</summary>
    public async Task ReconcileAsync(string? runId, CancellationToken cancellationToken = default)
    {
        var ready = await _coordinator.ReconcileAsync(runId, cancellationToken).ConfigureAwait(false);
        await _steps.ScheduleAsync(ready, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the scheduler, letting running steps finish when <paramref name="waitForSteps"/> is true.</summary>
    public async Task StopAsync(bool waitForSteps = true)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_reconciler is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        if (_scheduler.Status is not (SchedulerStatus.Shutdown or SchedulerStatus.ShuttingDown))
        {
            await _scheduler.Shutdown(waitForSteps).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(waitForSteps: true).ConfigureAwait(false);

    /// <summary>
    /// Re-checks unfinished runs now and then, so a step left without a job (its successor's job could
    /// not be created, or a worker stopped without waiting) is picked up without restarting anything.
    /// </summary>
    private async Task ReconcileLoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await ReconcileAsync(null, _stop.Token).ConfigureAwait(false);
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
