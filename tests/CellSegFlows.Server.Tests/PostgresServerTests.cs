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
}
