using System.Text.Json.Nodes;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Runtime;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresRunStoreTests
{
    [PostgresFact]
    public async Task Migrations_create_the_whole_run_store_on_an_empty_database_and_a_second_migrate_changes_nothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = RunStoreOptions.Postgres(database.ConnectionString);

        await store.MigrateAsync();
        await store.MigrateAsync();

        await using var db = store.CreateContext();
        Assert.IsType<PostgresRunDbContext>(db);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "the model differs from the PostgreSQL migrations: add a migration");
        var tables = await db.Database
            .SqlQueryRaw<string>("SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public'")
            .ToListAsync();
        Assert.Superset(
            new HashSet<string> { "definitions", "runs", "run_nodes", "steps", "step_events", "artifacts", "metrics", "step_cache" },
            tables.ToHashSet());
    }

    [PostgresFact]
    public async Task Fan_out_and_fan_in_complete_with_the_run_store_and_the_quartz_store_on_postgres()
    {
        await using var database = await TestDatabase.CreateAsync();
        var options = new EngineOptions
        {
            Home = TestPaths.NewTempFolder(),
            QuartzPostgres = database.ConnectionString,
            RunStore = RunStoreOptions.Parse(database.ConnectionString),
            Threads = 4,
            WorkerName = "in-process",
        };
        var engine = await WorkflowEngine.StartAsync(options, EngineHarness.Registry());
        RunDetail run;
        try
        {
            var runId = await engine.StartRunAsync("""
                {
                  "id": "fan-pg", "parameters": { "xs": { "type": "list<int>", "default": [1, 2, 3, 4, 5, 6] } },
                  "nodes": [
                    { "id": "add", "activity": "test.Add", "map": { "over": "${params.xs}", "as": "x" }, "inputs": { "a": "${x}", "b": 100 }, "cache": false },
                    { "id": "sum", "activity": "test.Sum", "inputs": { "values": "${nodes.add.sum}" }, "cache": false }
                  ],
                  "outputs": { "total": "${nodes.sum.total}", "each": "${nodes.add.sum}" }
                }
                """, "fan-pg.json", new Dictionary<string, string>());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await engine.WaitForRunAsync(runId, null, timeout.Token);
            run = await engine.Runs.DetailAsync(runId);
        }
        finally
        {
            await engine.DisposeAsync();
        }

        Assert.True(run.Run.Status == RunStatus.Succeeded, run.Run.Error);
        var outputs = JsonNode.Parse(run.Run.OutputsJson!)!;
        Assert.Equal(621, outputs["total"]!.GetValue<long>());
        Assert.Equal("[101,102,103,104,105,106]", outputs["each"]!.ToJsonString());
        Assert.Equal(7, run.Steps.Count);
        Assert.All(run.Steps, s =>
        {
            Assert.Equal(StepStatus.Succeeded, s.Status);
            Assert.Equal(1, s.Attempt);
            Assert.Equal("in-process", s.Worker);
            Assert.True(s.ScheduledAt <= s.StartedAt && s.StartedAt <= s.FinishedAt, $"{s.Id}: {s.ScheduledAt:o} {s.StartedAt:o} {s.FinishedAt:o}");
        });
        Assert.All(run.Nodes, n => Assert.Equal(0, n.PendingParents));
        Assert.Equal(TimeSpan.Zero, run.Run.CreatedAt.Offset);
        Assert.InRange(DateTimeOffset.UtcNow - run.Run.FinishedAt!.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.Single(run.Metrics, m => m.Name == "total" && m.Value == 621);
    }
}
