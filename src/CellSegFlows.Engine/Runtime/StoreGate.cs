using System.Collections.Concurrent;
using System.Data;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// Runs a unit of work on the run store in one transaction. SQLite allows one writer: writers of one
/// process queue on a semaphore instead of failing with "database is locked". PostgreSQL runs the
/// unit serializable and retries it when two workers collide, so a join is released exactly once.
/// </summary>
internal static class StoreGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    public static async Task<T> WriteAsync<T>(RunStoreOptions store, Func<RunDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!store.IsPostgres)
        {
            var gate = Gates.GetOrAdd(store.ConnectionString, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        return await RunAsync(store, work, IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (attempt < 50 && IsBusy(ex))
                    {
                        // Another process (e.g. the CLI reading progress) holds the file briefly.
                        await Task.Delay(20 * attempt, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunAsync(store, work, IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < 20 && IsSerializationFailure(ex))
            {
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static Task WriteAsync(RunStoreOptions store, Func<RunDbContext, Task> work, CancellationToken cancellationToken) =>
        WriteAsync(store, async db =>
        {
            await work(db).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private static async Task<T> RunAsync<T>(RunStoreOptions store, Func<RunDbContext, Task<T>> work, IsolationLevel isolation, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();

        // EF wraps a SaveChanges inside a transaction of ours in a savepoint (two more statements on the store) so
        // a failed save can be rolled back alone; a unit here that fails is rolled back whole, so it needs none.
        db.Database.AutoSavepointsEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(isolation, cancellationToken).ConfigureAwait(false);
        var result = await work(db).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private static bool IsBusy(Exception ex) =>
        ex is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 } ||
        (ex is DbUpdateException { InnerException: { } inner } && IsBusy(inner));

    private static bool IsSerializationFailure(Exception ex) =>
        ex is Npgsql.PostgresException { SqlState: "40001" or "40P01" } ||
        (ex.InnerException is { } inner && IsSerializationFailure(inner));
}
