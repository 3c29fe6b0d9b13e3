using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
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
    /// <summary>Native connections already set up: Microsoft.Data.Sqlite pools them, and a pragma stays set on one.</summary>
    private static readonly ConditionalWeakTable<object, object> Configured = [];

    public static SqlitePragmas Instance { get; } = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs <paramref name="pragmas"/> the first time this native connection is opened, not at every open of a
    /// pooled one: the run store opens a connection per transaction, two or more per step.
    /// </summary>
    internal static void Apply(DbConnection connection, string pragmas)
    {
        var handle = (connection as SqliteConnection)?.Handle;
        if (handle is not null && Configured.TryGetValue(handle, out _))
        {
            return;
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = pragmas;
            command.ExecuteNonQuery();
        }

        if (handle is not null)
        {
            Configured.AddOrUpdate(handle, pragmas);
        }
    }
}
