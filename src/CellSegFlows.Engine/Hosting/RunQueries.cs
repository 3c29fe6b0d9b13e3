using System.Text.Json;
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
    /// <summary>The most runs one page may hold.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Runs, newest first, optionally of one workflow or status.</summary>
    public async Task<IReadOnlyList<RunRecord>> ListAsync(string? workflowId = null, RunStatus? status = null, int limit = 50, CancellationToken cancellationToken = default) =>
        (await PageAsync(new RunFilter { WorkflowId = workflowId, Statuses = status is { } s ? [s] : null }, Math.Clamp(limit, 1, MaxPageSize), null, cancellationToken).ConfigureAwait(false)).Runs;

    /// <summary>
    /// One page of the runs that match <paramref name="filter"/>, newest first (start time, then id), continuing after
    /// <paramref name="cursor"/> (from an earlier page's <see cref="RunPage.NextCursor"/>; null for the first page). Filters,
    /// order and page limit are applied in SQL on indexed columns; a search is narrowed in SQL, then checked against the
    /// parameter values themselves.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not 1 to <see cref="MaxPageSize"/>.</exception>
    /// <exception cref="ArgumentException">The cursor is not one this store wrote, or the search is too long.</exception>
    public async Task<RunPage> PageAsync(RunFilter filter, int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxPageSize);
        (DateTimeOffset At, string Id)? after = null;
        if (cursor is not null)
        {
            after = RunCursor.TryRead(cursor, out var at, out var id) ? (at, id) : throw new ArgumentException("the cursor is not one a runs page gave", nameof(cursor));
        }

        var search = string.IsNullOrEmpty(filter.Search) ? null : filter.Search;
        if (search is { Length: > RunFilter.MaxSearchLength })
        {
            throw new ArgumentException($"a search may have at most {RunFilter.MaxSearchLength} characters", nameof(filter));
        }

        await using var db = store.CreateContext();
        var query = Filtered(db.Runs.AsNoTracking(), filter);
        if (search is not null)
        {
            // Parameters are stored as JSON text with the default escapes ("a+b" is stored "a\u002Bb"): look for the search
            // text spelled the same way. This narrows; the values themselves decide below (a name is not a value).
            // LIKE is case-insensitive for ASCII on SQLite (ILIKE on PostgreSQL) and scans 3-4 times faster than instr(lower(...)).
            var stored = JsonEncodedText.Encode(search).ToString();
            var pattern = "%" + stored.Replace("!", "!!", StringComparison.Ordinal).Replace("%", "!%", StringComparison.Ordinal).Replace("_", "!_", StringComparison.Ordinal) + "%";
            query = db is PostgresRunDbContext
                ? query.Where(r => EF.Functions.ILike(r.ParametersJson, pattern, "!"))
                : query.Where(r => EF.Functions.Like(r.ParametersJson, pattern, "!"));
        }

        var page = new List<RunRecord>(limit + 1);
        var batch = search is null ? limit + 1 : Math.Max(2 * limit, 200);
        while (true)
        {
            var next = query;
            if (after is var (at, id))
            {
                next = next.Where(r => r.CreatedAt < at || (r.CreatedAt == at && string.Compare(r.Id, id) < 0));
            }

            var rows = await next.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(batch).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var run in rows)
            {
                if (search is null || RunCursor.ParameterValueContains(run.ParametersJson, search))
                {
                    page.Add(run);
                    if (page.Count > limit)
                    {
                        break;
                    }
                }
            }

            if (page.Count > limit || rows.Count < batch)
            {
                break;
            }

            after = (rows[^1].CreatedAt, rows[^1].Id);
        }

        if (page.Count > limit)
        {
            page.RemoveRange(limit, page.Count - limit);
            return new RunPage(page, RunCursor.After(page[^1]));
        }

        return new RunPage(page, null);
    }

    private static IQueryable<RunRecord> Filtered(IQueryable<RunRecord> query, RunFilter filter)
    {
        if (filter.WorkflowId is { } workflow)
        {
            query = query.Where(r => r.WorkflowId == workflow);
        }

        if (filter.DefinitionHash is { } hash)
        {
            query = query.Where(r => r.DefinitionHash == hash);
        }

        if (filter.Statuses is { Count: > 0 } statuses)
        {
            var wanted = statuses.Distinct().ToList();
            query = wanted.Count == 1 ? query.Where(r => r.Status == wanted[0]) : query.Where(r => wanted.Contains(r.Status));
        }

        if (filter.Trigger is { } trigger)
        {
            query = query.Where(r => r.Trigger == trigger);
        }

        if (filter.StartedBy is { } startedBy)
        {
            query = query.Where(r => r.StartedBy == startedBy);
        }

        // Start times are stored in UTC (ticks on SQLite): compare against UTC so the order of the stored values is the order of the times.
        if (filter.From is { } from)
        {
            var utc = from.ToUniversalTime();
            query = query.Where(r => r.CreatedAt >= utc);
        }

        if (filter.To is { } to)
        {
            var utc = to.ToUniversalTime();
            query = query.Where(r => r.CreatedAt <= utc);
        }

        return query;
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
