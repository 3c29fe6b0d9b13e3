using System.Text.Json.Nodes;
using CellSegFlows.Engine.Access;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Registry;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;
using Polly;
using Polly.Retry;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// Runs one step on this worker: marks the attempt, answers from the step cache when it can, otherwise
/// runs the activity with the node's timeout and retry policy (Polly), watching for a cancel request,
/// then records the outcome — and, in the same transaction, releases successors.
/// </summary>
internal sealed class StepExecutor(
    RunCoordinator coordinator,
    ActivityRegistry registry,
    IArtifactStore artifacts,
    string workRoot,
    IStepScheduler scheduler,
    string worker,
    DeviceLeases devices,
    HostAccess hostAccess,
    ContentHasher hasher)
{
    private static readonly TimeSpan CancelPoll = TimeSpan.FromMilliseconds(250);
    private readonly ModelRegistry _models = new(coordinator.Store);
    private int _running;

    /// <summary>Steps executing in this process now (a draining worker waits for zero).</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Runs one step's job, counted in <see cref="Running"/>.</summary>
    public async Task ExecuteCountedAsync(string runId, string stepId, bool recovering, CancellationToken workerToken)
    {
        Interlocked.Increment(ref _running);
        try
        {
            await ExecuteAsync(runId, stepId, recovering, workerToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <param name="runId">The step's run.</param>
    /// <param name="stepId">The step.</param>
    /// <param name="recovering">Quartz runs the job again because the worker that ran it died.</param>
    /// <param name="workerToken">Cancelled when this worker stops.</param>
    public async Task ExecuteAsync(string runId, string stepId, bool recovering, CancellationToken workerToken)
    {
        var start = await coordinator.BeginAttemptAsync(stepId, worker, workerToken).ConfigureAwait(false);
        if (start is null)
        {
            if (recovering)
            {
                // The dead worker recorded the step's end but may have died before creating the jobs of
                // the steps that end released (two stores, no shared transaction). Nobody else would
                // schedule them until an engine restarts, so schedule whatever of the run is ready now;
                // steps whose job exists are left alone.
                var ready = await coordinator.ReconcileAsync(runId, workerToken).ConfigureAwait(false);
                await scheduler.ScheduleAsync(ready, workerToken).ConfigureAwait(false);
            }

            return;
        }

        var step = start.Step;
        var node = start.Node;
        var descriptor = registry.Find(step.Activity) ?? throw new EngineException($"activity '{step.Activity}' is not registered in worker {worker}");
        var work = WorkFolder(step);
        var access = hostAccess.With(new DataRoot(work, Writable: true, "the step's work folder"));
        JsonObject inputs;
        try
        {
            // The override object first: the values it sets are checked, hashed and bound like any other input.
            inputs = InputOverrides.Apply(descriptor, InputOverrides.RenameFormer(descriptor, JsonNode.Parse(step.InputsJson ?? "{}")!.AsObject()));
            inputs = HostInputs.Resolve(descriptor, inputs, access);
        }
        catch (Exception refused) when (refused is HostAccessException or ActivityInputException)
        {
            // Checked before the cache and before any attempt: a refused input never runs, and is never retried.
            await coordinator.FailStepAsync(step.Id, $"node '{step.NodeId}', {refused.Message}", cancelled: false, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        try
        {
            // Before the cache key: a step that reads model://NAME is keyed by the champion it gets now.
            IReadOnlyList<ResolvedModel> resolved;
            (inputs, resolved) = await ModelInputs.ResolveAsync(descriptor, inputs, _models, artifacts, workerToken).ConfigureAwait(false);
            if (resolved.Count > 0)
            {
                await StoreGate.WriteAsync(coordinator.Store, db =>
                {
                    RunCoordinator.AddEvent(db, step, "log", null, string.Join("; ", resolved));
                    return Task.CompletedTask;
                }, workerToken).ConfigureAwait(false);
            }
        }
        catch (ModelRegistryException missing)
        {
            await coordinator.FailStepAsync(step.Id, $"node '{step.NodeId}', {missing.Message}", cancelled: false, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        // An activity that reads or changes the registry never answers from the cache, whatever the node says.
        var cache = node.Cache && descriptor.Cacheable;
        string cacheKey;
        try
        {
            JsonObject fingerprint;
            (cacheKey, fingerprint) = CacheKeys.Compute(descriptor, inputs, cache ? hasher : null, workerToken);
            if (cache && await TryCachedAsync(step, cacheKey, fingerprint, workerToken).ConfigureAwait(false))
            {
                return;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Hashing an input (an unreadable file), or completing from the cache, which releases successors too (a map
            // may be refused there): either way the step must end, not hang.
            await coordinator.FailStepAsync(step.Id, $"the step cache: {ErrorText.CauseChain(ex)}", cancelled: false, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        using var run = CancellationTokenSource.CreateLinkedTokenSource(workerToken);
        using var watcher = WatchForCancel(step.RunId, run);
        var attempt = start.Attempt;
        var firstTry = true;
        try
        {
            // A node without retries runs its one attempt directly: building a resilience pipeline that would only
            // call it costs a few allocations and a telemetry set-up at every step.
            var outputs = node.Retry is not { Attempts: > 1 }
                ? await RunOnceAsync(step, node, inputs, attempt, work, access, run.Token).ConfigureAwait(false)
                : await Pipeline(node, step.Id, () => attempt).ExecuteAsync(
                    async token =>
                    {
                        if (!firstTry)
                        {
                            attempt = await coordinator.NextAttemptAsync(step.Id, worker, token).ConfigureAwait(false);
                        }

                        firstTry = false;
                        return await RunOnceAsync(step, node, inputs, attempt, work, access, token).ConfigureAwait(false);
                    },
                    run.Token).ConfigureAwait(false);
            // The cache entry commits with the step's completion: one transaction instead of two.
            var entry = cache
                ? new CacheEntryRecord
                {
                    Key = cacheKey, Activity = descriptor.Type, ActivityVersion = descriptor.Version, OutputsJson = outputs.ToJsonString(), StepId = step.Id, CreatedAt = DateTimeOffset.UtcNow,
                }
                : null;
            var ready = await coordinator.CompleteStepAsync(step.Id, outputs, cacheKey, cached: false, $"attempt {attempt} succeeded", workerToken, entry).ConfigureAwait(false);
            await scheduler.ScheduleAsync(ready, workerToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (workerToken.IsCancellationRequested)
        {
            // The worker is stopping: leave the step running; recovery runs it again on restart.
            throw;
        }
        catch (OperationCanceledException) when (watcher.CancelRequested)
        {
            await coordinator.FailStepAsync(step.Id, "cancelled while running", cancelled: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (HostAccessException refused)
        {
            // A user error, not a fault: one line, no stack trace.
            await coordinator.FailStepAsync(step.Id, $"attempt {attempt} failed: node '{step.NodeId}', {refused.Message}", cancelled: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ModelRegistryException missing)
        {
            await coordinator.FailStepAsync(step.Id, $"attempt {attempt} failed: node '{step.NodeId}', {missing.Message}", cancelled: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception wrong) when (registry.IsInputError(wrong))
        {
            // The user's input (or data) is wrong: one line, as for a refused path; the cause chain is for faults.
            await coordinator.FailStepAsync(step.Id, $"attempt {attempt} failed: node '{step.NodeId}', {wrong.Message}", cancelled: false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await coordinator.FailStepAsync(step.Id, $"attempt {attempt} failed: {ErrorText.CauseChain(ex)}\n{ex}", cancelled: false, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private string WorkFolder(StepRecord step) => Path.Combine(workRoot, step.RunId, SafeFolder(step.Id[(step.RunId.Length + 1)..]));

    private async Task<JsonObject> RunOnceAsync(StepRecord step, NodeDefinition node, JsonObject inputs, int attempt, string work, HostAccess access, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        if (node.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        Directory.CreateDirectory(work);
        await using var journal = new StepJournal(coordinator.Store, step.RunId, step.Id, attempt, worker);

        // A gpu-queue step holds one of the worker's devices for the attempt; a cpu-queue step runs on the CPU.
        using var lease = step.Queue == QueueNames.Gpu
            ? await devices.AcquireAsync(registry.Find(step.Activity)?.SharesDevice == true, timeout.Token).ConfigureAwait(false)
            : null;
        var context = new ActivityContext
        {
            RunId = step.RunId,
            StepId = step.Id,
            NodeId = step.NodeId,
            Attempt = attempt,
            WorkFolder = work,
            Artifacts = new RecordingArtifactStore(artifacts, journal),
            Progress = journal,
            Logger = journal,
            CancellationToken = timeout.Token,
            Device = lease?.Device ?? QueueNames.CpuDevice,
            ReportMetric = journal.Metric,
            HostAccess = access,
            Models = _models,
        };
        if (lease is not null)
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(journal, "device {Device} (gpu queue, worker {Worker}, {Lease})", lease.Device, worker,
                lease.Shared ? $"shared lease, {lease.Holders} step(s) on it" : "exclusive lease");
        }

        var activity = registry.Create(step.Activity);
        try
        {
            return await activity.ExecuteAsync((JsonObject)inputs.DeepClone(), context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new TimeoutException($"attempt {attempt} exceeded the node's timeout of {node.Timeout}");
        }
    }

    private ResiliencePipeline<JsonObject> Pipeline(NodeDefinition node, string stepId, Func<int> attempt)
    {
        var builder = new ResiliencePipelineBuilder<JsonObject>();
        if (node.Retry is { } retry)
        {
            builder.AddRetry(new RetryStrategyOptions<JsonObject>
            {
                MaxRetryAttempts = retry.Attempts - 1,
                Delay = retry.Delay,
                MaxDelay = retry.MaxDelay,
                BackoffType = retry.Backoff == RetryBackoff.Exponential ? DelayBackoffType.Exponential : DelayBackoffType.Constant,
                UseJitter = retry.Backoff == RetryBackoff.Exponential,
                ShouldHandle = new PredicateBuilder<JsonObject>().Handle<Exception>(Retried),
                OnRetry = args => new ValueTask(coordinator.RecordRetryAsync(stepId, attempt(), args.Outcome.Exception!, args.RetryDelay, CancellationToken.None)),
            });
        }

        return builder.Build();
    }

    /// <summary>
    /// Whether an attempt's failure is worth another attempt: a <see cref="TransientActivityException"/> always, a user's
    /// mistake (a wrong input or data, a refused path, a missing model) or a cancellation never, anything else yes.
    /// </summary>
    private bool Retried(Exception error) =>
        error is TransientActivityException
        || (error is not (OperationCanceledException or HostAccessException or ModelRegistryException) && !registry.IsInputError(error));

    /// <summary>
    /// Answers from the step cache when it can. Either way the journal gets a <c>cache</c> entry: the key, one digest
    /// per input (file contents included), and why it was a hit or a miss (which input changed since the node last ran).
    /// </summary>
    private async Task<bool> TryCachedAsync(StepRecord step, string key, JsonObject fingerprint, CancellationToken ct)
    {
        CacheEntryRecord? entry;
        (JsonObject Fingerprint, string StepId)? before = null;
        await using (var db = coordinator.Store.CreateContext())
        {
            entry = await db.Cache.AsNoTracking().FirstOrDefaultAsync(c => c.Key == key, ct).ConfigureAwait(false);
            if (entry is null)
            {
                // Only a miss is explained against the node's previous run; a hit needs no history query.
                before = await PreviousFingerprintAsync(db, step, ct).ConfigureAwait(false);
            }
        }

        var outputs = entry is null ? null : JsonNode.Parse(entry.OutputsJson)!.AsObject();
        var usable = outputs is not null && !ArtifactHashes(outputs).Any(h => !artifacts.Contains(h));   // an artifact gone from the store: compute again
        var why = usable
            ? $"same activity version, inputs and file contents as step {entry!.StepId}"
            : entry is not null
                ? $"the outputs of step {entry.StepId} refer to artifacts no longer in the store"
                : CacheKeys.ExplainMiss(fingerprint, before?.Fingerprint, before?.StepId);
        var record = new JsonObject { ["decision"] = usable ? "hit" : "miss", ["why"] = why, ["key"] = key, ["inputs"] = fingerprint.DeepClone() };
        await StoreGate.WriteAsync(coordinator.Store, db =>
        {
            RunCoordinator.AddEvent(db, step, "cache", null, record.ToJsonString());
            return Task.CompletedTask;
        }, ct).ConfigureAwait(false);
        if (!usable)
        {
            return false;
        }

        var ready = await coordinator.CompleteStepAsync(step.Id, outputs!, key, cached: true, $"cache hit: outputs of step {entry!.StepId}", ct).ConfigureAwait(false);
        await scheduler.ScheduleAsync(ready, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The fingerprint recorded by the latest earlier step of the same node of the same workflow.</summary>
    private static async Task<(JsonObject Fingerprint, string StepId)?> PreviousFingerprintAsync(RunDbContext db, StepRecord step, CancellationToken ct)
    {
        var workflow = await db.Runs.AsNoTracking().Where(r => r.Id == step.RunId).Select(r => r.WorkflowId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var latest = await (
                from e in db.Events.AsNoTracking()
                join s in db.Steps.AsNoTracking() on e.StepId equals s.Id
                join r in db.Runs.AsNoTracking() on s.RunId equals r.Id
                where e.Kind == "cache" && s.NodeId == step.NodeId && s.MapIndex == step.MapIndex && r.WorkflowId == workflow && s.Id != step.Id
                orderby e.Id descending
                select new { e.Message, e.StepId })
            .FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return latest?.Message is { } message && JsonNode.Parse(message)?["inputs"] is JsonObject inputs ? (inputs, latest.StepId) : null;
    }

    private static IEnumerable<string> ArtifactHashes(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o when o["hash"] is JsonValue v && v.TryGetValue<string>(out var hash) && LocalArtifactStore.IsHash(hash) && o.ContainsKey("size"):
                yield return hash;
                break;
            case JsonObject o:
                foreach (var (_, value) in o)
                {
                    foreach (var h in ArtifactHashes(value))
                    {
                        yield return h;
                    }
                }

                break;
            case JsonArray a:
                foreach (var value in a)
                {
                    foreach (var h in ArtifactHashes(value))
                    {
                        yield return h;
                    }
                }

                break;
        }
    }

    private CancelWatcher WatchForCancel(string runId, CancellationTokenSource run) => new(coordinator.Store, runId, run, CancelPoll);

    private static string SafeFolder(string stepPart) => new(stepPart.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());

    /// <summary>
    /// Polls the run's cancel flag and cancels the step's token when it is set. A one-shot timer re-armed after
    /// each poll, not a background loop: most steps end before the first poll, and then the watcher cost
    /// nothing but a timer.
    /// </summary>
    private sealed class CancelWatcher : IDisposable
    {
        private readonly RunStoreOptions _store;
        private readonly string _runId;
        private readonly CancellationTokenSource _run;
        private readonly TimeSpan _interval;
        private readonly Timer _timer;
        private readonly object _lock = new();
        private bool _disposed;
        private volatile bool _cancelRequested;

        public CancelWatcher(RunStoreOptions store, string runId, CancellationTokenSource run, TimeSpan interval)
        {
            _store = store;
            _runId = runId;
            _run = run;
            _interval = interval;
            _timer = new Timer(static state => ((CancelWatcher)state!).Poll(), this, interval, Timeout.InfiniteTimeSpan);
        }

        public bool CancelRequested => _cancelRequested;

        public void Dispose()
        {
            lock (_lock)
            {
                _disposed = true;
            }

            _timer.Dispose();
        }

        private void Poll()
        {
            bool requested;
            try
            {
                using var db = _store.CreateContext();
                requested = db.Runs.AsNoTracking().Any(r => r.Id == _runId && r.CancelRequested);
            }
            catch (Exception)
            {
                // A poll that fails (store briefly busy, or the engine stopping) is tried again at the next tick;
                // the step's own end never depends on it.
                requested = false;
            }

            lock (_lock)
            {
                // Under the lock, so the step's token is never cancelled after the step ended and disposed it.
                if (_disposed)
                {
                    return;
                }

                if (requested)
                {
                    _cancelRequested = true;

                    // CancelAsync runs the token's callbacks on the thread pool, not here under the lock.
                    _ = _run.CancelAsync();
                    return;
                }

                _timer.Change(_interval, Timeout.InfiniteTimeSpan);
            }
        }
    }
}
