using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// Hands Quartz its SQLite connections with <c>synchronous=NORMAL</c> set on each one as it opens (the pragma
/// belongs to a connection, not to the file, so it cannot be set once like <c>journal_mode=WAL</c>).
/// </summary>
/// <remarks>
/// Quartz commits four times per step (schedule, acquire, fire, complete). With SQLite's default
/// <c>synchronous=FULL</c> every commit waits for an fsync of the write-ahead log — about 2 ms each on the
/// bench machine, most of a chain step's latency. With write-ahead logging, <c>NORMAL</c> syncs only when the
/// log is checkpointed into the database. What that keeps and what it does not:
/// <list type="bullet">
/// <item>A process that dies (SIGKILL, a crash, an out-of-memory kill) loses nothing it committed: the
/// commit is in the log file, in the operating system's page cache, and the next open replays it. That is
/// the failure the engine's recovery is built for.</item>
/// <item>A power loss or kernel crash can roll back the last commits since the previous sync (the file
/// itself stays consistent: never corrupt, only older). For Quartz that means a step's job may be missing
/// or fire again; the engine's reconciler re-creates jobs of scheduled steps and a second run of a finished
/// step finds it terminal and does nothing. The run store makes the same choice (see SqlitePragmas).</item>
/// </list>
/// </remarks>
internal sealed class SqliteJobStoreDataSource(string connectionString) : DbDataSource
{
    /// <inheritdoc />
    public override string ConnectionString => connectionString;

    /// <inheritdoc />
    protected override DbConnection CreateDbConnection()
    {
        var connection = new SqliteConnection(connectionString);
        connection.StateChange += OnStateChange;
        return connection;
    }

    private static void OnStateChange(object sender, StateChangeEventArgs e)
    {
        if (e.CurrentState != ConnectionState.Open || sender is not SqliteConnection connection)
        {
            return;
        }

        Store.SqlitePragmas.Apply(connection, "PRAGMA synchronous=NORMAL;");
    }
}
