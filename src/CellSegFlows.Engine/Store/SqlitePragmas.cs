using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CellSegFlows.Engine.Store;

/// <summary>
/// Sets <c>synchronous=NORMAL</c> on every SQLite connection of the run store. With write-ahead logging
/// this keeps every committed transaction across a process crash (what a worker must survive) and
/// drops the fsync per commit that would otherwise cost milliseconds per step; only a power loss can
/// lose the last commits.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static SqlitePragmas Instance { get; } = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
    }
}
