using CellSegFlows.Engine.Store;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CellSegFlows.Engine.Tests.Store;

/// <summary>An upgrade keeps what the store already holds: a run store of an older schema, migrated, still has its runs.</summary>
public sealed class MigrationUpgradeTests
{
    [Fact]
    public async Task A_store_written_before_the_snake_case_columns_and_the_glossary_renames_keeps_its_runs_and_steps_after_the_upgrade()
    {
        var path = Path.Combine(TestPaths.NewTempFolder(), "runs.db");
        var store = RunStoreOptions.Sqlite(path);
        await using (var db = store.CreateContext())
        {
            await db.GetService<IMigrator>().MigrateAsync("AddTriggerDefinitions");
        }

        // Rows as the previous version wrote them, PascalCase columns.
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO runs (Id, WorkflowId, DefinitionHash, ParametersJson, Trigger, Status, CreatedAt, CancelRequested)
                VALUES ('r1', 'old', 'abc', '{"seed":3}', 'manual', 'Succeeded', 0, 0);
                INSERT INTO steps (Id, RunId, NodeId, ActivityType, Queue, Status, Attempt) VALUES ('r1/a', 'r1', 'a', 'test.Constant', 'cpu', 'Succeeded', 1);
                """;
            await insert.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        await store.MigrateAsync();
        await using (var db = store.CreateContext())
        {
            var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == "r1");
            Assert.Equal("""{"seed":3}""", run.ParametersJson);
            Assert.Equal(RunStatus.Succeeded, run.Status);
            Assert.Equal("test.Constant", (await db.Steps.AsNoTracking().SingleAsync()).Activity);
        }

        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var columns = connection.CreateCommand();
            columns.CommandText = "SELECT name FROM pragma_table_info('runs') ORDER BY cid";
            var names = new List<string>();
            await using var reader = await columns.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }

            Assert.Contains("workflow_id", names);
            Assert.Contains("parameters_json", names);
            Assert.DoesNotContain("WorkflowId", names);
        }
    }

    [Theory]
    [InlineData("RunId", "run_id")]
    [InlineData("DefinitionJson", "definition_json")]
    [InlineData("Id", "id")]
    [InlineData("MapIndex", "map_index")]
    [InlineData("KeyHash", "key_hash")]
    public void Column_names_are_snake_case(string property, string column) => Assert.Equal(column, RunDbContext.SnakeCase(property));
}
