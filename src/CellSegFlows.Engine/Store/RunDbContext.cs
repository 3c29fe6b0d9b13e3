using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Store;

/// <summary>
/// The run history: definitions, runs, the join ledger, steps with their journal, artifacts, metrics,
/// the step cache, triggers, access and the model registry. SQLite by default; PostgreSQL when several machines share runs. The schema is
/// managed by EF migrations (one set per provider), so an upgrade keeps old runs.
/// </summary>
public abstract class RunDbContext(DbContextOptions options) : DbContext(options)
{
    /// <summary>Definition versions.</summary>
    public DbSet<DefinitionVersionRecord> Definitions => Set<DefinitionVersionRecord>();

    /// <summary>Drafts: unpublished edits, one per workflow.</summary>
    public DbSet<DefinitionDraftRecord> Drafts => Set<DefinitionDraftRecord>();

    /// <summary>Runs.</summary>
    public DbSet<RunRecord> Runs => Set<RunRecord>();

    /// <summary>Join ledger.</summary>
    public DbSet<RunNodeRecord> Nodes => Set<RunNodeRecord>();

    /// <summary>Steps.</summary>
    public DbSet<StepRecord> Steps => Set<StepRecord>();

    /// <summary>Step journal.</summary>
    public DbSet<StepEventRecord> Events => Set<StepEventRecord>();

    /// <summary>Artifacts.</summary>
    public DbSet<ArtifactRecord> Artifacts => Set<ArtifactRecord>();

    /// <summary>Metrics.</summary>
    public DbSet<MetricRecord> Metrics => Set<MetricRecord>();

    /// <summary>Step cache.</summary>
    public DbSet<CacheEntryRecord> Cache => Set<CacheEntryRecord>();

    /// <summary>Cron schedules.</summary>
    public DbSet<ScheduleRecord> Schedules => Set<ScheduleRecord>();

    /// <summary>Folder watches.</summary>
    public DbSet<FileWatchRecord> FileWatches => Set<FileWatchRecord>();

    /// <summary>What each watch has started runs for.</summary>
    public DbSet<FileCursorRecord> FileCursors => Set<FileCursorRecord>();

    /// <summary>Firings of schedules and watches.</summary>
    public DbSet<TriggerFiringRecord> TriggerFirings => Set<TriggerFiringRecord>();

    /// <summary>Server users.</summary>
    public DbSet<UserRecord> Users => Set<UserRecord>();

    /// <summary>API keys (hashed).</summary>
    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();

    /// <summary>Who changed what, when.</summary>
    public DbSet<AuditRecord> Audit => Set<AuditRecord>();

    /// <summary>Worker check-ins.</summary>
    public DbSet<WorkerRecord> Workers => Set<WorkerRecord>();

    /// <summary>Registered models with their champions.</summary>
    public DbSet<RegisteredModelRecord> Models => Set<RegisteredModelRecord>();

    /// <summary>Model versions.</summary>
    public DbSet<ModelVersionRecord> ModelVersions => Set<ModelVersionRecord>();

    /// <summary>Promotions, rejections and manual champion changes.</summary>
    public DbSet<ModelDecisionRecord> ModelDecisions => Set<ModelDecisionRecord>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<DefinitionVersionRecord>(e =>
        {
            e.ToTable("definitions");
            e.HasKey(x => x.Hash);
            e.HasIndex(x => x.WorkflowId);
        });
        modelBuilder.Entity<DefinitionDraftRecord>(e =>
        {
            e.ToTable("definition_drafts");
            e.HasKey(x => x.WorkflowId);
        });
        modelBuilder.Entity<RunRecord>(e =>
        {
            e.ToTable("runs");
            e.HasKey(x => x.Id);

            // The runs list pages newest first by (start time, id): one index for the whole list and one per common filter,
            // each ending in that order, so a page is an index range scan however many runs the store holds.
            e.HasIndex(x => new { x.CreatedAt, x.Id });
            e.HasIndex(x => new { x.WorkflowId, x.CreatedAt, x.Id });
            e.HasIndex(x => new { x.Status, x.CreatedAt, x.Id });
            e.HasIndex(x => new { x.DefinitionHash, x.CreatedAt, x.Id });
            e.Property(x => x.Status).HasConversion<string>();
        });
        modelBuilder.Entity<RunNodeRecord>(e =>
        {
            e.ToTable("run_nodes");
            e.HasKey(x => new { x.RunId, x.NodeId });
            e.Property(x => x.Status).HasConversion<string>();
        });
        modelBuilder.Entity<StepRecord>(e =>
        {
            e.ToTable("steps");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.RunId, x.NodeId });
            e.HasIndex(x => x.Status);
            e.Property(x => x.Status).HasConversion<string>();
        });
        modelBuilder.Entity<StepEventRecord>(e =>
        {
            e.ToTable("step_events");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.RunId, x.StepId });
            e.Property(x => x.Status).HasConversion<string>();
        });
        modelBuilder.Entity<ArtifactRecord>(e =>
        {
            e.ToTable("artifacts");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Hash);
            e.HasIndex(x => x.RunId);
        });
        modelBuilder.Entity<MetricRecord>(e =>
        {
            e.ToTable("metrics");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.RunId, x.Name });
        });
        modelBuilder.Entity<CacheEntryRecord>(e =>
        {
            e.ToTable("step_cache");
            e.HasKey(x => x.Key);
        });
        modelBuilder.Entity<ScheduleRecord>(e =>
        {
            e.ToTable("schedules");
            e.HasKey(x => x.Id);
            e.Property(x => x.Misfire).HasConversion(v => MisfireText.Write(v), v => MisfireText.Read(v));
        });
        modelBuilder.Entity<FileWatchRecord>(e =>
        {
            e.ToTable("file_watches");
            e.HasKey(x => x.Id);
        });
        modelBuilder.Entity<FileCursorRecord>(e =>
        {
            e.ToTable("file_cursors");
            e.HasKey(x => new { x.WatchId, x.RelativePath });
        });
        modelBuilder.Entity<TriggerFiringRecord>(e =>
        {
            e.ToTable("trigger_firings");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.TriggerKind, x.TriggerId });
            e.HasIndex(x => x.RunId);
            e.Property(x => x.Outcome).HasConversion<string>();
        });
        modelBuilder.Entity<UserRecord>(e =>
        {
            e.ToTable("users");
            e.HasKey(x => x.Name);
        });
        modelBuilder.Entity<ApiKeyRecord>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.KeyHash).IsUnique();
            e.HasIndex(x => x.UserName);
        });
        modelBuilder.Entity<AuditRecord>(e =>
        {
            e.ToTable("audit_log");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Time);
            e.HasIndex(x => x.Target);
        });
        modelBuilder.Entity<WorkerRecord>(e =>
        {
            e.ToTable("workers");
            e.HasKey(x => x.Name);
        });
        modelBuilder.Entity<RegisteredModelRecord>(e =>
        {
            e.ToTable("models");
            e.HasKey(x => x.Name);
        });
        modelBuilder.Entity<ModelVersionRecord>(e =>
        {
            e.ToTable("model_versions");
            e.HasKey(x => new { x.Name, x.Version });
            e.HasIndex(x => x.ArtifactHash);
            e.HasIndex(x => x.RunId);
        });
        modelBuilder.Entity<ModelDecisionRecord>(e =>
        {
            e.ToTable("model_decisions");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Name, x.Id });
            e.Property(x => x.Decision).HasConversion<string>();
        });

        // Columns are snake_case like their tables (run_id, not RunId), so SQL written by hand, psql and the docs use one
        // spelling; the C# properties stay PascalCase.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }

        // SQLite cannot order or compare DateTimeOffset columns; store them as UTC ticks there.
        if (Database.IsSqlite())
        {
            foreach (var entity in modelBuilder.Model.GetEntityTypes())
            {
                foreach (var property in entity.GetProperties().Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
                {
                    property.SetValueConverter(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter());
                }
            }
        }
    }

    /// <summary><c>RunId</c> → <c>run_id</c>, <c>DefinitionJson</c> → <c>definition_json</c>.</summary>
    internal static string SnakeCase(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}

/// <summary>The run store on SQLite (the embedded default: one file, nothing to install).</summary>
public sealed class SqliteRunDbContext(DbContextOptions<SqliteRunDbContext> options) : RunDbContext(options);

/// <summary>The run store on PostgreSQL (several workers on several machines).</summary>
public sealed class PostgresRunDbContext(DbContextOptions<PostgresRunDbContext> options) : RunDbContext(options);
