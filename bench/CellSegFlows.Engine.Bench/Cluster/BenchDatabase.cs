using Npgsql;

namespace CellSegFlows.Engine.Bench.Cluster;

/// <summary>A fresh database on the bench's PostgreSQL server for one measurement, dropped afterwards.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>For the bench's own reads of Quartz's tables (check-ins, recovery triggers).</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Creates <c>cellsegflows_bench_GUID</c> on the server of <paramref name="server"/> (a connection string without a database).</summary>
    public static async Task<BenchDatabase> CreateAsync(string server)
    {
        var name = $"cellsegflows_bench_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE DATABASE \"{name}\"").ConfigureAwait(false);
        return new BenchDatabase(server, name);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync().ConfigureAwait(false);
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)").ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
