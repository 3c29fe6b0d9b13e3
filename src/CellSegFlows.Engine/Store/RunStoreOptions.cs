using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace CellSegFlows.Engine.Store;

/// <summary>Which database holds the run history, and how to open it.</summary>
public sealed class RunStoreOptions
{
    private RunStoreOptions(string connectionString, bool postgres)
    {
        ConnectionString = connectionString;
        IsPostgres = postgres;
    }

    private PooledDbContextFactory<PostgresRunDbContext>? _postgresContexts;
    private PooledDbContextFactory<SqliteRunDbContext>? _sqliteContexts;

    /// <summary>The connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>True for PostgreSQL, false for SQLite.</summary>
    public bool IsPostgres { get; }

    /// <summary>A SQLite file (created on first use).</summary>
    public static RunStoreOptions Sqlite(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var builder = new SqliteConnectionStringBuilder { DataSource = full, DefaultTimeout = 30 };
        return new RunStoreOptions(builder.ToString(), postgres: false);
    }

    /// <summary>A PostgreSQL database by connection string (<c>Host=…;Database=…;Username=…</c>).</summary>
    public static RunStoreOptions Postgres(string connectionString) => new(connectionString, postgres: true);

    /// <summary>Reads either form: a string with <c>Host=</c> is PostgreSQL, anything else a SQLite path or connection string.</summary>
    public static RunStoreOptions Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        if (value.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            return Postgres(value);
        }

        return value.Contains("Data Source=", StringComparison.OrdinalIgnoreCase)
            ? new RunStoreOptions(value, postgres: false)
            : Sqlite(value);
    }

    /// <summary>A new context (contexts are short-lived: one per unit of work).</summary>
    public RunDbContext CreateContext()
    {
        // Every step makes two or more contexts. The options are built once (building them costs more than the
        // context), and contexts come from a pool: setting up a new one's services was a sixth of the run store's
        // CPU time per step. Disposing a pooled context resets it and returns it to the pool.
        if (IsPostgres)
        {
            _postgresContexts ??= new PooledDbContextFactory<PostgresRunDbContext>(
                new DbContextOptionsBuilder<PostgresRunDbContext>().UseNpgsql(ConnectionString).Options);
            return _postgresContexts.CreateDbContext();
        }

        _sqliteContexts ??= new PooledDbContextFactory<SqliteRunDbContext>(
            new DbContextOptionsBuilder<SqliteRunDbContext>().UseSqlite(ConnectionString).AddInterceptors(SqlitePragmas.Instance).Options);
        return _sqliteContexts.CreateDbContext();
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction of the run store and saves it (SQLite: queued behind this
    /// process's other writers; PostgreSQL: serializable, retried on conflict). Nothing is saved if it throws.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<RunDbContext, Task<T>> work, CancellationToken cancellationToken = default) =>
        Runtime.StoreGate.WriteAsync(this, work, cancellationToken);

    /// <summary>Records one change in the audit log (who, what, to what) in a transaction of its own.</summary>
    public Task AuditAsync(string actor, string action, string target, string? detail = null, CancellationToken cancellationToken = default) =>
        WriteAsync(db =>
        {
            db.Audit.Add(AuditRecord.Now(actor, action, target, detail));
            return Task.FromResult(true);
        }, cancellationToken);

    /// <summary>Applies pending migrations (creates the database on first use) and, on SQLite, turns on write-ahead logging.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = CreateContext();
        if (IsPostgres)
        {
            // Workers that start together would race to create the same tables: one migrates at a time,
            // the others wait on a session advisory lock and then find nothing left to do.
            await using var gate = new Npgsql.NpgsqlConnection(ConnectionString);
            try
            {
                await gate.OpenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Npgsql.PostgresException ex) when (ex.SqlState == "3D000")
            {
                // The database does not exist yet: EF creates it (and its tables) on the first migration.
                await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            await using (var take = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(72190311)", gate))
            {
                await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await using var release = new Npgsql.NpgsqlCommand("SELECT pg_advisory_unlock(72190311)", gate);
                await release.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return;
        }

        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        if (!IsPostgres)
        {
            // WAL lets readers (the CLI's progress view, the server) work while a step commits.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Lets <c>dotnet ef</c> create SQLite migrations.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteRunDbContext>
{
    public SqliteRunDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteRunDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Lets <c>dotnet ef</c> create PostgreSQL migrations (no server needed to generate them).</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRunDbContext>
{
    public PostgresRunDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresRunDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
