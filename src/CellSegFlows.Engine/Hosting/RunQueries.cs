using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Hosting;

/// <summary>A run with its steps, as seen at one moment.</summary>
public sealed record RunSnapshot(RunRecord Run, IReadOnlyList<StepRecord> Steps, IReadOnlyList<RunNodeRecord> Nodes);

/// <summary>A run with everything recorded about it (for <c>runs show</c> and the studio).</summary>
public sealed record RunDetail(RunRecord Run, IReadOnlyList<StepRecord> Steps, IReadOnlyList<RunNodeRecord> Nodes, IReadOnlyList<StepEventRecord> Events, IReadOnlyList<ArtifactRecord> Artifacts, IReadOnlyList<MetricRecord> Metrics);

/// <summary>Read-only queries on the run history.</summary>
public sealed class RunQueries(RunStoreOptions store)
{
    /// <summary>Runs, newest first, optionally of one workflow or status.</summary>
    public async Task<IReadOnlyList<RunRecord>> ListAsync(string? workflowId = null, RunStatus? status = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateContext();
        var query = db.Runs.AsNoTracking();
        if (workflowId is not null)
        {
            query = query.Where(r => r.WorkflowId == workflowId);
        }

        if (status is { } s)
        {
            query = query.Where(r => r.Status == s);
        }

        var runs = await query.ToListAsync(cancellationToken).ConfigureAwait(false);
        return runs.OrderByDescending(r => r.CreatedAt).Take(limit).ToList();
    }

    /// <summary>The run record alone (its status, times, outputs and error).</summary>
    /// <exception cref="Runtime.EngineException">No such run.</exception>
    public async Task<RunRecord> RunAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateContext();
        return await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken).ConfigureAwait(false)
            ?? throw new Runtime.EngineException($"no run {runId}");
    }

    /// <summary>The run and its steps now.</summary>
    /// <exception cref="Runtime.EngineException">No such run.</exception>
    public async Task<RunSnapshot> SnapshotAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateContext();
        var run = await db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken).ConfigureAwait(false)
            ?? throw new Runtime.EngineException($"no run {runId}");
        var steps = await db.Steps.AsNoTracking().Where(s => s.RunId == runId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var nodes = await db.Nodes.AsNoTracking().Where(n => n.RunId == runId).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new RunSnapshot(run, steps.OrderBy(s => s.ScheduledAt).ThenBy(s => s.Id, StringComparer.Ordinal).ToList(), nodes);
    }

    /// <summary>Everything recorded about a run.</summary>
    public async Task<RunDetail> DetailAsync(string runId, CancellationToken cancellationToken = default)
    {
        var snapshot = await SnapshotAsync(runId, cancellationToken).ConfigureAwait(false);
        await using var db = store.CreateContext();
        var events = await db.Events.AsNoTracking().Where(e => e.RunId == runId).OrderBy(e => e.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var artifacts = await db.Artifacts.AsNoTracking().Where(a => a.RunId == runId).OrderBy(a => a.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var metrics = await db.Metrics.AsNoTracking().Where(m => m.RunId == runId).OrderBy(m => m.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new RunDetail(snapshot.Run, snapshot.Steps, snapshot.Nodes, events, artifacts, metrics);
    }
}
