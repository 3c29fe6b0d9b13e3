using Npgsql;

namespace CellSegFlows.Engine.Tests.Postgres;

/// <summary>
/// The PostgreSQL server the tests use, from <c>CELLSEGFLOWS_TEST_PG</c> (CI always sets it). Without it
/// the tests fail and say how to start one; <c>CELLSEGFLOWS_SKIP_PG=1</c> skips them instead.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "CELLSEGFLOWS_TEST_PG";
    public const string SkipVariable = "CELLSEGFLOWS_SKIP_PG";

    public static bool OptedOut => Environment.GetEnvironmentVariable(SkipVariable) == "1";

    /// <summary>A connection string without a database (e.g. <c>Host=127.0.0.1;Port=55432;Username=postgres</c>).</summary>
    public static string Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException(
            $"{Variable} is not set, so the PostgreSQL tests cannot run. Start a throwaway server with " +
            $"`eval \"$(bash .ci/postgres.sh start)\"` from the repository root (stop it with `bash .ci/postgres.sh stop`), " +
            $"or set {SkipVariable}=1 to skip these tests.");
}

/// <summary>A test that needs PostgreSQL: skipped only when the developer opts out with <c>CELLSEGFLOWS_SKIP_PG=1</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestPostgres.OptedOut)
        {
            Skip = $"{TestPostgres.SkipVariable}=1: PostgreSQL tests skipped";
        }
    }
}

/// <summary>PostgreSQL tests run one at a time, after the others: the multi-worker ones measure time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection
{
    public const string Name = "postgres";
}

/// <summary>A database of its own for one test, dropped (with whatever still holds a connection) afterwards.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    /// <summary>The server's connection string with this database.</summary>
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var name = $"cellsegflows_test_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        var builder = new NpgsqlConnectionStringBuilder(TestPostgres.Server) { Database = name };
        return new TestDatabase(name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string sql)
    {
        var admin = new NpgsqlConnectionStringBuilder(TestPostgres.Server) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
