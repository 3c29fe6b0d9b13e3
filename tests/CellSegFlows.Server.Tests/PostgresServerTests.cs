using System.Net;
using System.Net.Http.Json;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Postgres;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

/// <summary>The server on a PostgreSQL run store (users, keys, audit and workers come with the engine's migrations).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresServerTests
{
    [PostgresFact]
    public async Task The_api_works_on_a_postgres_run_store_with_users_audit_and_worker_check_ins()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await TestServer.StartAsync(configure: o => o with { RunStore = RunStoreOptions.Postgres(database.ConnectionString) });
        var hash = await server.SaveAsync("""{ "id": "pg-api", "nodes": [ { "id": "w", "activity": "test.WriteText", "inputs": { "text": "on postgres" } } ] }""");

        using var key = server.WithKey();
        var started = await key.PostAsJsonAsync("api/runs", new { workflowId = "pg-api" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var runId = (await TestServer.ReadJsonAsync(started))["runId"].Str();
        var detail = await server.WaitForRunAsync(key, runId);
        Assert.Equal("Succeeded", detail["run"]!["status"].Str());
        var artifact = detail["artifacts"]!.AsArray().Single()!;
        Assert.Equal("on postgres", await key.GetStringAsync($"api/artifacts/{artifact["hash"].Str()}"));

        using var viewer = await server.LoginAsync(Roles.Viewer);
        await Assert.ThrowsAsync<HttpRequestException>(() => viewer.GetStringAsync("api/users"));
        var audit = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/audit"))).AsArray().Select(a => $"{a!["action"].Str()} {a["target"].Str()}").ToList();
        Assert.Contains($"definition.save {hash}", audit);
        Assert.Contains($"run.start {runId}", audit);
        var workers = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/ops/workers"))).AsArray();
        Assert.True(workers.Single()!["alive"]!.GetValue<bool>());
    }

    [PostgresFact]
    public async Task Runs_pages_search_drafts_and_metrics_across_runs_work_on_postgres()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var server = await TestServer.StartAsync(configure: o => o with { RunStore = RunStoreOptions.Postgres(database.ConnectionString) });
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        var runs = Enumerable.Range(0, 150).Select(i => new RunRecord
        {
            Id = $"pg-page-{i:D4}", WorkflowId = "pg-page", DefinitionHash = new string('b', 64), Trigger = i % 2 == 0 ? "cron" : "manual", Status = RunStatus.Succeeded,
            ParametersJson = new System.Text.Json.Nodes.JsonObject { ["dataset"] = i == 77 ? "LIVECell-A172+x" : $"set-{i % 5}" }.ToJsonString(),
            CreatedAt = start.AddSeconds(i - (i % 3 == 2 ? 1 : 0)),
        }).ToList();
        await server.Engine.Store.WriteAsync(async db =>
        {
            db.Runs.AddRange(runs);
            await Task.CompletedTask;
            return 0;
        });

        using var key = server.WithKey();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var response = await key.GetAsync($"api/runs?workflow=pg-page&limit=40{(cursor is null ? string.Empty : $"&cursor={cursor}")}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            seen.AddRange((await TestServer.ReadJsonAsync(response)).AsArray().Select(r => r!["id"].Str()));
            cursor = response.Headers.TryGetValues("X-Next-Cursor", out var next) ? next.Single() : null;
        }
        while (cursor is not null);

        // PostgreSQL orders ids by its collation: the order must be the store's own, without gaps or repeats.
        Assert.Equal(150, seen.Count);
        Assert.Equal(150, seen.Distinct().Count());
        var search = (await TestServer.ReadJsonAsync(await key.GetAsync($"api/runs?workflow=pg-page&trigger=manual&q={Uri.EscapeDataString("a172+X")}"))).AsArray();
        Assert.Equal("pg-page-0077", Assert.Single(search)!["id"].Str());

        // Drafts: saved, run by name, published; then the metric of two runs over time.
        using var editor = await server.LoginAsync(Roles.Editor);
        var definition = AcrossRunsApiTests.Training.Replace("ID", "pg-train", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await editor.PutAsync("api/workflows/pg-train/draft", TestServer.Json(definition))).StatusCode);
        var draftRun = (await TestServer.ReadJsonAsync(await key.PostAsJsonAsync("api/runs", new { workflowId = "pg-train", draft = true, parameters = new { steps = 2 } })))["runId"].Str();
        Assert.Equal(HttpStatusCode.Created, (await editor.PostAsync("api/workflows/pg-train/publish", null)).StatusCode);
        var published = (await TestServer.ReadJsonAsync(await key.PostAsJsonAsync("api/runs", new { workflowId = "pg-train", parameters = new { steps = 3 } })))["runId"].Str();
        await server.WaitForRunAsync(key, draftRun);
        await server.WaitForRunAsync(key, published);
        var points = (await TestServer.ReadJsonAsync(await key.GetAsync("api/workflows/pg-train/metrics?name=dice")))["points"]!.AsArray();
        Assert.Equal([draftRun, published], points.Select(p => p!["runId"].Str()));
    }
}
