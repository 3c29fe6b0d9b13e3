using CellSegFlows.Engine.Runtime;
using Microsoft.Data.Sqlite;

namespace CellSegFlows.Engine.Tests.Runtime;

public sealed class SqliteJobStoreDataSourceTests
{
    [Fact]
    public async Task Every_connection_it_opens_syncs_normally_even_when_reused_from_the_pool()
    {
        var file = Path.Combine(TestPaths.NewTempFolder(), "quartz.db");
        var connectionString = $"Data Source={file}";
        await using var source = new SqliteJobStoreDataSource(connectionString);
        for (var i = 0; i < 3; i++)
        {
            // Closing returns the connection to Microsoft.Data.Sqlite's pool; the next open takes it back.
            await using var connection = source.CreateConnection();
            await connection.OpenAsync();
            Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA synchronous;")); // 1 = NORMAL
        }

        // The setting belongs to the connection: one opened without the data source has SQLite's default, FULL.
        await using var plain = new SqliteConnection(connectionString + ";Pooling=False");
        await plain.OpenAsync();
        Assert.Equal(2L, await ScalarAsync(plain, "PRAGMA synchronous;"));
    }

    [Fact]
    public async Task A_commit_made_through_it_is_read_back_by_a_fresh_connection()
    {
        var file = Path.Combine(TestPaths.NewTempFolder(), "quartz.db");
        await using var source = new SqliteJobStoreDataSource($"Data Source={file}");
        await using (var connection = source.CreateConnection())
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (42);";
            await command.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        await using var reader = new SqliteConnection($"Data Source={file};Pooling=False");
        await reader.OpenAsync();
        Assert.Equal(42L, await ScalarAsync(reader, "SELECT v FROM t;"));
    }

    private static async Task<object?> ScalarAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
