using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Runtime;

/// <summary>What an attempt needs to run, read in the transaction that marked it running.</summary>
internal sealed record AttemptStart(StepRecord Step, NodeDefinition Node, int Attempt, bool Recovering, string PreviousWorker);

/// <summary>
/// Decides, inside the transaction that would create the run, whether it may start, and writes what must
/// commit with it (a watch's file cursor, a schedule's firing). Returning false creates no run, but what it
/// wrote is still committed (e.g. a firing recorded as skipped).
/// </summary>
internal delegate Task<bool> RunAdmission(RunDbContext db, string runId, CancellationToken ct);

/// <summary>
/// Every state change of runs and steps, each one transaction on the run store: creating a run,
/// starting an attempt, completing or failing a step (and, in the same transaction, the join ledger
/// that releases its successors exactly once), skipping downstream steps, cancelling, finishing the
/// run, and reconciling after a crash. Returns the steps that became ready; the caller schedules them.
/// Expanding nodes into steps and the join ledger are <see cref="FanOut"/>'s, plans come from <see cref="PlanCache"/>.
/// </summary>
internal sealed class RunCoordinator(RunStoreOptions store, IActivityCatalog catalog, WorkflowLimits limits)
{
    private readonly FanOut _fanOut = new(catalog, limits);

    public RunStoreOptions Store => store;

    public static string StepIdOf(string runId, string nodeId, int? mapIndex) =>
        mapIndex is null ? $"{runId}/{nodeId}" : $"{runId}/{nodeId}[{mapIndex}]";

    /// <summary>Records the run and its first steps in one transaction; a null run id when <paramref name="admission"/> refused it.</summary>
    public async Task<(string? RunId, List<ReadyStep> Ready)> CreateRunAsync(
        string definitionJson, WorkflowDefinition definition, string definitionHash, JsonObject parameters,
        string trigger, string? triggerDetail, string? startedBy, CancellationToken ct, RunAdmission? admission = null)
    {
        var runId = NewRunId();
        var plan = PlanCache.Of(definitionHash, definitionJson);
        var admitted = true;
        var ready = await StoreGate.WriteAsync(store, async db =>
        {
            admitted = admission is null || await admission(db, runId, ct).ConfigureAwait(false);
            if (!admitted)
            {
                return new List<ReadyStep>();
            }

            if (await db.Definitions.FindAsync([definitionHash], ct).ConfigureAwait(false) is null)
            {
                db.Definitions.Add(new DefinitionVersionRecord
                {
                    Hash = definitionHash, WorkflowId = definition.Id, VersionLabel = definition.Version, Json = definitionJson,
                    SavedAt = DateTimeOffset.UtcNow, SavedBy = startedBy,
                });
            }

            var run = new RunRecord
            {
                Id = runId, WorkflowId = definition.Id, DefinitionHash = definitionHash, ParametersJson = parameters.ToJsonString(),
                Trigger = trigger, TriggerDetail = triggerDetail, StartedBy = startedBy, Status = RunStatus.Running, CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Runs.Add(run);
            var nodes = new Dictionary<string, RunNodeRecord>(StringComparer.Ordinal);
            foreach (var planned in plan.Order)
            {
                var state = new RunNodeRecord { RunId = runId, NodeId = planned.Id, PendingParents = planned.Parents.Count, Status = StepStatus.Waiting };
                nodes[planned.Id] = state;
                db.Nodes.Add(state);
            }

            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            var ready = new List<ReadyStep>();
            var context = new RunContext(db, run, plan, new Lazy<JsonObject>(parameters));
            foreach (var root in plan.Roots)
            {
                await _fanOut.ExpandAsync(context, nodes[root.Id], ready, ct).ConfigureAwait(false);
            }

            await FinishIfDoneAsync(context, ct).ConfigureAwait(false);
            return ready;
        }, ct).ConfigureAwait(false);
        return (admitted ? runId : null, ready);
    }

    /// <summary>Marks the next attempt running; null when there is nothing to do (finished, skipped, cancelled).</summary>
    public Task<AttemptStart?> BeginAttemptAsync(string stepId, string worker, CancellationToken ct) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var rows = await HotQueries.Rows(db, stepId, ct).ConfigureAwait(false);
            var step = rows?.Step ?? await HotQueries.Step(db, stepId, ct).ConfigureAwait(false);
            if (step is null || IsTerminal(step.Status))
            {
                return null;
            }

            var run = rows?.Run ?? await HotQueries.Run(db, step.RunId, ct).ConfigureAwait(false) ?? throw new EngineException($"run {step.RunId} of step {stepId} is missing");
            var plan = await PlanCache.OfRunAsync(db, run, ct).ConfigureAwait(false);
            if (run.CancelRequested || run.Status is RunStatus.Cancelled)
            {
                SetStepStatus(db, step, StepStatus.Cancelled, "run cancelled before the step started");
                await FinishIfDoneAsync(new RunContext(db, run, plan, ParametersOf(run)), ct).ConfigureAwait(false);
                return null;
            }

            var recovering = step.Status == StepStatus.Running;
            var previousWorker = step.Worker ?? string.Empty;
            if (recovering)
            {
                AddEvent(db, step, "state", StepStatus.Running, $"attempt {step.Attempt} was interrupted (worker {previousWorker} stopped); running it again");
            }

            step.Attempt++;
            step.Status = StepStatus.Running;
            step.Worker = worker;
            step.StartedAt = DateTimeOffset.UtcNow;
            step.Error = null;
            var node = rows?.Node ?? await HotQueries.Node(db, step.RunId, step.NodeId, ct).ConfigureAwait(false);
            if (node is not null && node.Status is StepStatus.Scheduled or StepStatus.Waiting)
            {
                node.Status = StepStatus.Running;
            }

            AddEvent(db, step, "state", StepStatus.Running, $"attempt {step.Attempt} started on {worker}");
            return new AttemptStart(step, plan[step.NodeId].Node, step.Attempt, recovering, previousWorker);
        }, ct);

    /// <summary>Starts the next attempt of a step that is already running (a retry inside the same job).</summary>
    public Task<int> NextAttemptAsync(string stepId, string worker, CancellationToken ct) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var step = await db.Steps.FindAsync([stepId], ct).ConfigureAwait(false) ?? throw new EngineException($"step {stepId} is missing");
            step.Attempt++;
            step.Worker = worker;
            step.StartedAt = DateTimeOffset.UtcNow;
            AddEvent(db, step, "state", StepStatus.Running, $"attempt {step.Attempt} started on {worker}");
            return step.Attempt;
        }, ct);

    /// <summary>A failed attempt that will be retried.</summary>
    public Task RecordRetryAsync(string stepId, int attempt, Exception error, TimeSpan delay, CancellationToken ct) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var step = await db.Steps.FindAsync([stepId], ct).ConfigureAwait(false);
            if (step is not null)
            {
                AddEvent(db, step, "error", null, $"attempt {attempt} failed: {ErrorText.CauseChain(error)}; retrying in {delay.TotalSeconds:0.###} s", attempt);
            }
        }, ct);

    /// <summary>Records a step's success (and, when given, its cache entry) and releases what it unblocks.</summary>
    public Task<List<ReadyStep>> CompleteStepAsync(string stepId, JsonObject outputs, string? cacheKey, bool cached, string? note, CancellationToken ct, CacheEntryRecord? cacheEntry = null) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var ready = new List<ReadyStep>();
            var rows = await HotQueries.Rows(db, stepId, ct).ConfigureAwait(false);
            var step = rows?.Step ?? await HotQueries.Step(db, stepId, ct).ConfigureAwait(false) ?? throw new EngineException($"step {stepId} is missing");
            if (IsTerminal(step.Status))
            {
                return ready; // a second completion (e.g. a recovered duplicate) changes nothing
            }

            if (cacheEntry is not null && await db.Cache.FindAsync([cacheEntry.Key], ct).ConfigureAwait(false) is null)
            {
                db.Cache.Add(cacheEntry);
            }

            var run = rows?.Run ?? await HotQueries.Run(db, step.RunId, ct).ConfigureAwait(false) ?? throw new EngineException($"run {step.RunId} of step {stepId} is missing");
            var context = new RunContext(db, run, await PlanCache.OfRunAsync(db, run, ct).ConfigureAwait(false), ParametersOf(run)) { Completed = step };
            step.OutputsJson = outputs.ToJsonString();
            step.CacheKey = cacheKey;
            step.Progress = 1;
            SetStepStatus(db, step, cached ? StepStatus.Cached : StepStatus.Succeeded, note);
            var node = rows?.Node ?? await HotQueries.Node(db, step.RunId, step.NodeId, ct).ConfigureAwait(false) ?? throw new EngineException($"node {step.NodeId} of run {step.RunId} is missing");
            node.MapElementsDone++;
            if (node.MapElementsDone == node.MapElementCount)
            {
                node.Status = StepStatus.Succeeded;
                await _fanOut.ReleaseChildrenAsync(context, node, ready, ct).ConfigureAwait(false);
            }

            // Steps released just now are scheduled, so the run cannot be finished; nor can it while a sibling
            // branch of this node is still to run: its node has neither failed nor been cancelled, so every
            // branch not yet done is scheduled or running. Either way the check (a query) is skipped.
            var siblingsActive = node.MapElementsDone < node.MapElementCount && node.Status is StepStatus.Scheduled or StepStatus.Running && !run.CancelRequested;
            if (ready.Count == 0 && !siblingsActive)
            {
                await FinishIfDoneAsync(context, ct).ConfigureAwait(false);
            }

            return ready;
        }, ct);

    public Task FailStepAsync(string stepId, string error, bool cancelled, CancellationToken ct) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var step = await db.Steps.FindAsync([stepId], ct).ConfigureAwait(false) ?? throw new EngineException($"step {stepId} is missing");
            if (IsTerminal(step.Status))
            {
                return;
            }

            var run = (await db.Runs.FindAsync([step.RunId], ct).ConfigureAwait(false))!;
            var context = new RunContext(db, run, await PlanCache.OfRunAsync(db, run, ct).ConfigureAwait(false), ParametersOf(run));
            step.Error = error;
            SetStepStatus(db, step, cancelled ? StepStatus.Cancelled : StepStatus.Failed, error);
            var node = (await db.Nodes.FindAsync([step.RunId, step.NodeId], ct).ConfigureAwait(false))!;
            node.Status = cancelled ? StepStatus.Cancelled : StepStatus.Failed;
            if (!cancelled)
            {
                run.Error ??= $"{step.NodeId}{(step.MapIndex is { } i ? $"[{i}]" : string.Empty)}: {FirstLine(error)}";
                await SkipDescendantsAsync(context, node.NodeId, $"skipped: upstream step {step.Id} failed", ct).ConfigureAwait(false);
            }

            await FinishIfDoneAsync(context, ct).ConfigureAwait(false);
        }, ct);

    public Task<bool> CancelRunAsync(string runId, string? by, CancellationToken ct) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var run = await db.Runs.FindAsync([runId], ct).ConfigureAwait(false) ?? throw new EngineException($"no run {runId}");
            if (run.Status is not (RunStatus.Running or RunStatus.Pending))
            {
                return false;
            }

            run.CancelRequested = true;
            run.Error ??= $"cancelled{(by is null ? string.Empty : " by " + by)}";
            var plan = await PlanCache.OfRunAsync(db, run, ct).ConfigureAwait(false);
            foreach (var node in await db.Nodes.Where(n => n.RunId == runId && n.Status == StepStatus.Waiting).ToListAsync(ct).ConfigureAwait(false))
            {
                node.Status = StepStatus.Cancelled;
            }

            foreach (var step in await db.Steps.Where(s => s.RunId == runId && s.Status == StepStatus.Scheduled).ToListAsync(ct).ConfigureAwait(false))
            {
                SetStepStatus(db, step, StepStatus.Cancelled, "run cancelled");
                var node = await db.Nodes.FindAsync([runId, step.NodeId], ct).ConfigureAwait(false);
                node!.Status = StepStatus.Cancelled;
            }

            await FinishIfDoneAsync(new RunContext(db, run, plan, ParametersOf(run)), ct).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>
    /// Retry from the failed step: a failed run goes back to running with its succeeded steps kept; each
    /// failed step is scheduled again (its attempts continue the journal's numbering) and the nodes that were
    /// skipped because of it wait for their parents again. Returns the steps to schedule; null when the run
    /// has not failed (nothing changes then).
    /// </summary>
    public Task<List<ReadyStep>?> RetryRunAsync(string runId, string? by, CancellationToken ct) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var run = await db.Runs.FindAsync([runId], ct).ConfigureAwait(false) ?? throw new EngineException($"no run {runId}");
            if (run.Status != RunStatus.Failed)
            {
                return (List<ReadyStep>?)null;
            }

            var plan = await PlanCache.OfRunAsync(db, run, ct).ConfigureAwait(false);
            var nodes = await db.Nodes.Where(n => n.RunId == runId).ToDictionaryAsync(n => n.NodeId, StringComparer.Ordinal, ct).ConfigureAwait(false);
            var steps = await db.Steps.Where(s => s.RunId == runId).ToListAsync(ct).ConfigureAwait(false);
            var ready = new List<ReadyStep>();
            var note = $"retry from the failed step requested{(by is null ? string.Empty : " by " + by)}";
            foreach (var step in steps.Where(s => s.Status is StepStatus.Failed or StepStatus.Cancelled))
            {
                step.Status = StepStatus.Scheduled;
                step.Error = null;
                step.FinishedAt = null;
                step.Progress = null;
                step.ProgressMessage = null;
                step.ScheduledAt = DateTimeOffset.UtcNow;
                AddEvent(db, step, "state", StepStatus.Scheduled, note);
                nodes[step.NodeId].Status = StepStatus.Scheduled;
                ready.Add(new ReadyStep(run.Id, step.Id, step.Queue));
            }

            foreach (var node in nodes.Values.Where(n => n.Status is StepStatus.Skipped || (n.Status is StepStatus.Cancelled && n.MapElementCount < 0)))
            {
                node.Status = StepStatus.Waiting;
            }

            // A node waits for every parent that has not succeeded now (the ledger counted down only for those that had).
            foreach (var node in nodes.Values.Where(n => n.Status == StepStatus.Waiting))
            {
                node.PendingParents = plan[node.NodeId].Parents.Count(p => nodes[p].Status != StepStatus.Succeeded);
            }

            run.Status = RunStatus.Running;
            run.Error = null;
            run.FinishedAt = null;
            run.OutputsJson = null;
            run.CancelRequested = false;
            var context = new RunContext(db, run, plan, ParametersOf(run));
            foreach (var node in nodes.Values.Where(n => n.Status == StepStatus.Waiting && n.PendingParents == 0 && n.MapElementCount < 0).ToList())
            {
                await _fanOut.ExpandAsync(context, node, ready, ct).ConfigureAwait(false);
            }

            await FinishIfDoneAsync(context, ct).ConfigureAwait(false);
            return ready;
        }, ct);

    /// <summary>
    /// After a crash: expands nodes whose parents are all done but that were never expanded (a crash
    /// between "step done" and "successor scheduled" is impossible here, since both happen in one
    /// transaction, but a step may have been committed as scheduled without its job), and returns every
    /// scheduled or running step of a running run so its job exists.
    /// </summary>
    public Task<List<ReadyStep>> ReconcileAsync(string? runId, CancellationToken ct) =>
        StoreGate.WriteAsync(store, async db =>
        {
            var ready = new List<ReadyStep>();
            var runs = await db.Runs.Where(r => r.Status == RunStatus.Running && (runId == null || r.Id == runId)).ToListAsync(ct).ConfigureAwait(false);
            foreach (var run in runs)
            {
                var context = new RunContext(db, run, await PlanCache.OfRunAsync(db, run, ct).ConfigureAwait(false), ParametersOf(run));
                if (!run.CancelRequested)
                {
                    foreach (var node in await db.Nodes.Where(n => n.RunId == run.Id && n.Status == StepStatus.Waiting && n.PendingParents == 0 && n.MapElementCount < 0).ToListAsync(ct).ConfigureAwait(false))
                    {
                        await _fanOut.ExpandAsync(context, node, ready, ct).ConfigureAwait(false);
                    }
                }

                foreach (var step in await db.Steps.Where(s => s.RunId == run.Id && (s.Status == StepStatus.Scheduled || s.Status == StepStatus.Running)).ToListAsync(ct).ConfigureAwait(false))
                {
                    if (ready.All(r => r.StepId != step.Id))
                    {
                        ready.Add(new ReadyStep(run.Id, step.Id, step.Queue));
                    }
                }

                await FinishIfDoneAsync(context, ct).ConfigureAwait(false);
            }

            return ready;
        }, ct);

    public async Task<(WorkflowDefinition Definition, WorkflowPlan Plan)> DefinitionOfRunAsync(string runId, CancellationToken ct)
    {
        await using var db = store.CreateContext();
        var run = await db.Runs.FindAsync([runId], ct).ConfigureAwait(false) ?? throw new EngineException($"no run {runId}");
        var plan = await PlanCache.OfRunAsync(db, run, ct).ConfigureAwait(false);
        return (plan.Definition, plan);
    }

    internal static bool IsTerminal(StepStatus status) => status is StepStatus.Succeeded or StepStatus.Cached or StepStatus.Failed or StepStatus.Skipped or StepStatus.Cancelled;

    private static string NewRunId() => $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";

    private static string FirstLine(string text)
    {
        var cut = text.IndexOf('\n', StringComparison.Ordinal);
        return cut < 0 ? text : text[..cut];
    }

    /// <summary>
    /// The run's parameters, parsed when first needed: most completions expand nothing and finish nothing, and a
    /// run mapped over a list parameter of 10,000 elements would otherwise parse it at every step.
    /// </summary>
    private static Lazy<JsonObject> ParametersOf(RunRecord run) => new(() => JsonNode.Parse(run.ParametersJson)!.AsObject());

    private static async Task SkipDescendantsAsync(RunContext context, string nodeId, string reason, CancellationToken ct)
    {
        var queue = new Queue<string>(context.Plan[nodeId].Children);
        while (queue.Count > 0)
        {
            var id = queue.Dequeue();
            var state = await context.Db.Nodes.FindAsync([context.Run.Id, id], ct).ConfigureAwait(false);
            if (state is null || state.Status != StepStatus.Waiting)
            {
                continue;
            }

            state.Status = StepStatus.Skipped;
            context.Db.Events.Add(new StepEventRecord
            {
                RunId = context.Run.Id, StepId = StepIdOf(context.Run.Id, id, null), Time = DateTimeOffset.UtcNow, Kind = "state", Status = StepStatus.Skipped, Message = reason,
            });
            foreach (var child in context.Plan[id].Children)
            {
                queue.Enqueue(child);
            }
        }
    }

    private async Task FinishIfDoneAsync(RunContext context, CancellationToken ct)
    {
        var (db, run, plan, parameters) = context;
        if (run.Status is not RunStatus.Running)
        {
            return;
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        var stepsActive = await db.Steps.AnyAsync(s => s.RunId == run.Id && (s.Status == StepStatus.Scheduled || s.Status == StepStatus.Running), ct).ConfigureAwait(false);
        if (stepsActive)
        {
            return;
        }

        var open = run.CancelRequested
            ? await db.Nodes.AnyAsync(n => n.RunId == run.Id && (n.Status == StepStatus.Scheduled || n.Status == StepStatus.Running), ct).ConfigureAwait(false)
            : await db.Nodes.AnyAsync(n => n.RunId == run.Id && (n.Status == StepStatus.Waiting || n.Status == StepStatus.Scheduled || n.Status == StepStatus.Running), ct).ConfigureAwait(false);
        if (open)
        {
            return;
        }

        var anyFailed = await db.Nodes.AnyAsync(n => n.RunId == run.Id && (n.Status == StepStatus.Failed || n.Status == StepStatus.Skipped || n.Status == StepStatus.Cancelled), ct).ConfigureAwait(false);
        run.FinishedAt = DateTimeOffset.UtcNow;
        if (run.CancelRequested)
        {
            run.Status = RunStatus.Cancelled;
        }
        else if (anyFailed)
        {
            run.Status = RunStatus.Failed;
        }
        else
        {
            run.Status = RunStatus.Succeeded;
            var all = await FanOut.UpstreamOutputsAsync(db, run.Id, plan.Order.Select(n => n.Id).ToList(), ct).ConfigureAwait(false);
            var resolver = new ValueResolver(parameters.Value, all, plan);
            var outputs = new JsonObject();
            foreach (var (name, expression) in plan.Definition.Outputs)
            {
                outputs[name] = resolver.Resolve(expression, null, null);
            }

            run.OutputsJson = outputs.ToJsonString();
        }
    }

    private static void SetStepStatus(RunDbContext db, StepRecord step, StepStatus status, string? message)
    {
        step.Status = status;
        if (IsTerminal(status))
        {
            step.FinishedAt = DateTimeOffset.UtcNow;
        }

        AddEvent(db, step, "state", status, message);
    }

    internal static void AddEvent(RunDbContext db, StepRecord step, string kind, StepStatus? status, string? message, int? attempt = null) =>
        db.Events.Add(new StepEventRecord
        {
            RunId = step.RunId, StepId = step.Id, Time = DateTimeOffset.UtcNow, Kind = kind, Attempt = attempt ?? step.Attempt,
            Status = status, Message = message, Worker = step.Worker,
        });
}
