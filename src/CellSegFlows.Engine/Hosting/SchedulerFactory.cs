using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Runtime;
using CellSegFlows.Engine.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CellSegFlows.Engine.Hosting;

/// <summary>
/// Builds the Quartz scheduler an engine runs on: its jobs (steps, schedule firings, watch scans), the execution
/// groups (queues) it serves, the GPU slots, and the job store (SQLite in the home, or clustered PostgreSQL).
/// It is built, not started: the engine decides whether this process starts it.
/// </summary>
internal static class SchedulerFactory
{
    /// <summary>Builds the scheduler (creating the SQLite job store file in write-ahead mode when there is no PostgreSQL).</summary>
    public static async Task<IScheduler> CreateAsync(EngineOptions options, StepExecutor executor, TriggerRuntime triggerRuntime, CancellationToken cancellationToken)
    {
        var quartzFile = Path.Combine(Path.GetFullPath(options.Home), "quartz.db");
        if (options.QuartzPostgres is null)
        {
            await UseWriteAheadLogAsync(quartzFile, cancellationToken).ConfigureAwait(false);
        }

        return await QuartzSchedulerBuilder.Create(q =>
        {
            q.Services.AddSingleton(executor);
            q.Services.AddTransient<StepJob>();
            q.Services.AddSingleton(triggerRuntime);
            q.Services.AddTransient<ScheduleFiringJob>();
            q.Services.AddTransient<FileWatchJob>();
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "cellsegflows";

                // Jobs added by another process (a client, another node) are seen within a second, not 30.
                o.IdleWaitTime = TimeSpan.FromSeconds(1);
                if (options.QuartzPostgres is not null)
                {
                    o.InstanceId = options.WorkerName;
                }
            });
            q.UseDefaultThreadPool(maxConcurrency: options.Threads);
            q.ServeExecutionGroups(options.ClientOnly ? [QueueNames.None] : [.. options.Queues, TriggerSync.ExecutionGroup]);
            q.UseExecutionLimits(l => l.ForGroup(QueueNames.Gpu, options.ResolvedGpuSlots));
            q.UsePersistentStore(s =>
            {
                if (options.QuartzPostgres is { } pg)
                {
                    s.UsePostgres(pg);
                    s.UseClustering(c =>
                    {
                        c.CheckinInterval = TimeSpan.FromSeconds(2);
                        c.CheckinMisfireThreshold = TimeSpan.FromSeconds(2);
                    });
                }
                else
                {
                    // Quartz's connections come from a data source that sets synchronous=NORMAL on each: see
                    // SqliteJobStoreDataSource for why that is safe against a killed process and what it risks.
                    var connectionString = $"Data Source={quartzFile}";
                    s.UseSqlite(d =>
                    {
                        d.ConnectionString = connectionString;
                        d.DataSourceFactory = _ => new SqliteJobStoreDataSource(connectionString);
                    });
                }

                s.UseSystemTextJsonSerializer();
                s.ProvisionSchema();
                s.ConfigureStore(o =>
                {
                    o.MisfireThreshold = TimeSpan.FromSeconds(5);

                    // A recovered job's trigger carries the original fire time, so it is already misfired and
                    // waits for the misfire handler's next pass (every MisfireThreshold by default): one pass a
                    // second cuts a dead worker's takeover from about 8 s to about 4 s.
                    o.MisfireHandlerFrequency = TimeSpan.FromSeconds(1);
                });
            });
        }).BuildScheduler().ConfigureAwait(false);
    }

    /// <summary>Write-ahead logging is a property of the file: set once, Quartz's own connections then use it.</summary>
    private static async Task UseWriteAheadLogAsync(string quartzFile, CancellationToken cancellationToken)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={quartzFile}");
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
