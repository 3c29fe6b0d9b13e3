using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// The lookups every step makes (its step, run and join-ledger rows, at start and at completion), compiled
/// once. <c>FindAsync</c> builds and looks up a query expression on each call, which the profile of a
/// 1,000-step chain showed as a third of the run store's CPU time. These are tracking queries, so the rows
/// they return are saved with the unit of work like found ones; unlike <c>FindAsync</c> they always read the
/// database, so they are only used for rows that exist there (never for ones added in the same unit).
/// </summary>
/// <remarks>
/// A compiled query is bound to the model it first ran with and refuses another, and the SQLite and
/// PostgreSQL contexts have a model each (one process may use both, as the tests do): one set per context type.
/// </remarks>
internal sealed class HotQueries
{
    private static readonly HotQueries Sqlite = Create<SqliteRunDbContext>();
    private static readonly HotQueries Postgres = Create<PostgresRunDbContext>();

    private HotQueries(
        Func<RunDbContext, string, CancellationToken, Task<StepRecord?>> step,
        Func<RunDbContext, string, CancellationToken, Task<RunRecord?>> run,
        Func<RunDbContext, string, string, CancellationToken, Task<RunNodeRecord?>> node,
        Func<RunDbContext, string, CancellationToken, Task<StepRows?>> rows)
    {
        StepRowsById = rows;
        StepById = step;
        RunById = run;
        NodeByKey = node;
    }

    private Func<RunDbContext, string, CancellationToken, Task<StepRecord?>> StepById { get; }

    private Func<RunDbContext, string, CancellationToken, Task<RunRecord?>> RunById { get; }

    private Func<RunDbContext, string, string, CancellationToken, Task<RunNodeRecord?>> NodeByKey { get; }

    private Func<RunDbContext, string, CancellationToken, Task<StepRows?>> StepRowsById { get; }

    /// <summary>
    /// The step with this id, its run and its node's join-ledger row, tracked, read by one statement instead of
    /// three (starting and completing a step need all three); null if the step, its run or its node is missing.
    /// </summary>
    public static Task<StepRows?> Rows(RunDbContext db, string stepId, CancellationToken ct) => For(db).StepRowsById(db, stepId, ct);

    /// <summary>The step with this id, tracked; null if there is none.</summary>
    public static Task<StepRecord?> Step(RunDbContext db, string stepId, CancellationToken ct) => For(db).StepById(db, stepId, ct);

    /// <summary>The run with this id, tracked; null if there is none.</summary>
    public static Task<RunRecord?> Run(RunDbContext db, string runId, CancellationToken ct) => For(db).RunById(db, runId, ct);

    /// <summary>The join-ledger row of a node of a run, tracked; null if there is none.</summary>
    public static Task<RunNodeRecord?> Node(RunDbContext db, string runId, string nodeId, CancellationToken ct) => For(db).NodeByKey(db, runId, nodeId, ct);

    private static HotQueries For(RunDbContext db) => db is PostgresRunDbContext ? Postgres : Sqlite;

    private static HotQueries Create<TContext>()
        where TContext : RunDbContext
    {
        var step = EF.CompileAsyncQuery((TContext db, string id, CancellationToken ct) => db.Steps.FirstOrDefault(s => s.Id == id));
        var run = EF.CompileAsyncQuery((TContext db, string id, CancellationToken ct) => db.Runs.FirstOrDefault(r => r.Id == id));
        var node = EF.CompileAsyncQuery((TContext db, string runId, string nodeId, CancellationToken ct) => db.Nodes.FirstOrDefault(n => n.RunId == runId && n.NodeId == nodeId));
        var rows = EF.CompileAsyncQuery((TContext db, string id, CancellationToken ct) =>
            (from s in db.Steps
             where s.Id == id
             join r in db.Runs on s.RunId equals r.Id
             join n in db.Nodes on new { s.RunId, s.NodeId } equals new { n.RunId, n.NodeId }
             select new StepRows(s, r, n)).FirstOrDefault());
        return new HotQueries(
            (db, id, ct) => step((TContext)db, id, ct),
            (db, id, ct) => run((TContext)db, id, ct),
            (db, runId, nodeId, ct) => node((TContext)db, runId, nodeId, ct),
            (db, id, ct) => rows((TContext)db, id, ct));
    }
}

/// <summary>A step with its run and its node's join-ledger row, as one query reads them (all tracked).</summary>
internal sealed record StepRows(StepRecord Step, RunRecord Run, RunNodeRecord Node);
