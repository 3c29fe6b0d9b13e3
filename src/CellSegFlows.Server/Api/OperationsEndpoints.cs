using System.Security.Claims;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Server.Api;

/// <summary>A worker with its execution groups, last check-in and whether it is considered alive.</summary>
/// <param name="Name">Its name (host:pid by default), as the journal records it.</param>
/// <param name="Queues">The execution groups it serves.</param>
/// <param name="Device">The devices of its gpu queue.</param>
/// <param name="Threads">Steps it runs at once.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="LastSeenAt">Its last check-in.</param>
/// <param name="StoppedAt">When it stopped cleanly; null while it runs (or when it died).</param>
/// <param name="Alive">Not stopped, and checked in within three trigger-sync intervals.</param>
/// <param name="RunningSteps">Steps running on it now.</param>
/// <param name="DrainRequestedAt">When it was asked to drain (<c>worker --drain NAME</c>, or a stop signal); null when never.</param>
/// <param name="Draining">Alive and asked to drain: it takes no new step, and stops once its running steps finish or are handed back.</param>
public sealed record WorkerDto(string Name, IReadOnlyList<string> Queues, string Device, int Threads, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt, DateTimeOffset? StoppedAt, bool Alive, int RunningSteps,
    DateTimeOffset? DrainRequestedAt, bool Draining);

/// <summary>A scheduled or running step, with its run's workflow.</summary>
public sealed record ActiveStepDto(string Id, string RunId, string WorkflowId, string NodeId, int? MapIndex, string Activity, string Queue, StepStatus Status, int Attempt, string? Worker, DateTimeOffset? ScheduledAt, DateTimeOffset? StartedAt, double? Progress, string? ProgressMessage);

/// <summary>Whether this server's scheduler is paused.</summary>
public sealed record SchedulerState(bool Paused, string Worker);

/// <summary>The operations views' data (Quartz has no dashboard here): workers, active steps, the scheduler's pause/resume (schedules and watches: <see cref="TriggerEndpoints"/>).</summary>
internal static class OperationsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var ops = api.MapGroup("/ops").WithTags("Operations");
        ops.MapGet("/workers", WorkersAsync).WithSummary("Workers that checked in to this run store: execution groups, device, threads, last check-in, alive (checked in within three sync intervals), draining, steps running now.");
        ops.MapGet("/steps", StepsAsync).WithSummary("Steps scheduled (waiting for a worker of their queue) and running, oldest first.");
        ops.MapGet("/scheduler", (WorkflowEngine engine) => new SchedulerState(engine.IsPaused, engine.Options.WorkerName)).WithSummary("Whether this server's scheduler is paused.");
        ops.MapPost("/scheduler/pause", (WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) => SetSchedulerAsync(true, engine, user, ct))
            .RequireAuthorization(Roles.Policies.Operate).WithSummary("Pause this server's scheduler: running steps finish, no new step starts and no trigger fires here until resumed.");
        ops.MapPost("/scheduler/resume", (WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) => SetSchedulerAsync(false, engine, user, ct))
            .RequireAuthorization(Roles.Policies.Operate).WithSummary("Resume this server's scheduler.");
    }

    private static async Task<IReadOnlyList<WorkerDto>> WorkersAsync(WorkflowEngine engine, CancellationToken ct)
    {
        var workers = await engine.Workers.ListAsync(ct).ConfigureAwait(false);
        await using var db = engine.Store.CreateContext();
        var running = await db.Steps.AsNoTracking().Where(s => s.Status == StepStatus.Running).Select(s => s.Worker).ToListAsync(ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var stale = TimeSpan.FromTicks(engine.Options.TriggerSyncInterval.Ticks * 3) + TimeSpan.FromSeconds(2);
        return workers.Select(w =>
        {
            var alive = w.StoppedAt is null && now - w.LastSeenAt < stale;
            return new WorkerDto(w.Name, w.Queues.Split(',', StringSplitOptions.RemoveEmptyEntries), w.Device, w.Threads, w.StartedAt, w.LastSeenAt, w.StoppedAt,
                alive, running.Count(r => r == w.Name), w.DrainRequestedAt, alive && w.DrainRequestedAt is not null);
        }).ToList();
    }

    private static async Task<IReadOnlyList<ActiveStepDto>> StepsAsync(WorkflowEngine engine, CancellationToken ct)
    {
        await using var db = engine.Store.CreateContext();
        var steps = await db.Steps.AsNoTracking().Where(s => s.Status == StepStatus.Scheduled || s.Status == StepStatus.Running).ToListAsync(ct).ConfigureAwait(false);
        var runIds = steps.Select(s => s.RunId).Distinct().ToList();
        var workflows = await db.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.WorkflowId, ct).ConfigureAwait(false);
        return steps.OrderBy(s => s.ScheduledAt).Select(s => new ActiveStepDto(s.Id, s.RunId, workflows.GetValueOrDefault(s.RunId, "?"), s.NodeId, s.MapIndex, s.Activity, s.Queue, s.Status, s.Attempt, s.Worker,
            s.ScheduledAt, s.StartedAt, s.Progress, s.ProgressMessage)).ToList();
    }

    private static async Task<Ok<SchedulerState>> SetSchedulerAsync(bool pause, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        if (pause)
        {
            await engine.PauseAsync(ct).ConfigureAwait(false);
        }
        else
        {
            await engine.ResumeAsync(ct).ConfigureAwait(false);
        }

        await AuditLog.WriteAsync(engine.Store, Principals.Actor(user), pause ? "scheduler.pause" : "scheduler.resume", engine.Options.WorkerName, null, ct).ConfigureAwait(false);
        return TypedResults.Ok(new SchedulerState(engine.IsPaused, engine.Options.WorkerName));
    }
}
