using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CellSegFlows.Engine.Store;
using CellSegFlows.Server.Auth;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Server.Tests;

/// <summary>
/// The API answers with its own records (Api/Contracts), not the run store's entities. These tests hold those records
/// to the JSON the entities made (field names, order and values, nulls included), so clients see no change.
/// </summary>
public sealed class ApiContractTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    /// <summary>The server's JSON settings (ServerHost): web defaults, enums as names, nulls written.</summary>
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private TestServer S => fixture.Server;

    [Fact]
    public async Task Run_detail_list_metrics_and_audit_are_the_json_the_store_entities_made()
    {
        var runId = await FinishedRunAsync("contract-detail");
        using var key = S.WithKey();
        var detail = await TestServer.ReadJsonAsync(await key.GetAsync($"api/runs/{runId}"));

        await using var db = S.Engine.Store.CreateContext();
        var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
        var steps = (await db.Steps.AsNoTracking().Where(s => s.RunId == runId).ToListAsync()).OrderBy(s => s.ScheduledAt).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        var nodes = await db.Nodes.AsNoTracking().Where(n => n.RunId == runId).ToListAsync();
        var events = await db.Events.AsNoTracking().Where(e => e.RunId == runId).OrderBy(e => e.Id).ToListAsync();
        var artifacts = await db.Artifacts.AsNoTracking().Where(a => a.RunId == runId).OrderBy(a => a.Id).ToListAsync();
        var metrics = await db.Metrics.AsNoTracking().Where(m => m.RunId == runId).OrderBy(m => m.Id).ToListAsync();
        Assert.NotEmpty(events);
        Assert.NotEmpty(artifacts);
        Assert.NotEmpty(metrics);

        AssertSameJson(run, detail["run"]);
        AssertSameJson(steps, detail["steps"]);
        AssertSameJson(nodes, detail["nodes"]);
        AssertSameJson(events, detail["events"]);
        AssertSameJson(artifacts, detail["artifacts"]);
        AssertSameJson(metrics, detail["metrics"]);
        AssertSameJson(metrics, await TestServer.ReadJsonAsync(await key.GetAsync($"api/runs/{runId}/metrics")));
        AssertSameJson(new[] { run }, await TestServer.ReadJsonAsync(await key.GetAsync($"api/runs?workflow=contract-detail")));

        var audit = await db.Audit.AsNoTracking().Where(a => a.Target == runId).ToListAsync();
        AssertSameJson(audit, await TestServer.ReadJsonAsync(await key.GetAsync($"api/audit?target={runId}")));
    }

    [Fact]
    public async Task The_run_stream_sends_the_json_the_store_entities_made()
    {
        var runId = await FinishedRunAsync("contract-stream");
        using var key = S.WithKey();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var text = await key.GetStringAsync($"api/runs/{runId}/stream", timeout.Token);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n'))
            .Where(lines => lines.Any(l => l.StartsWith("event: ", StringComparison.Ordinal)))
            .Select(lines => (Name: lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))[7..], Data: JsonNode.Parse(lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..])))
            .ToList();

        Assert.Equal(new[] { "run", "journal", "metrics", "artifacts", "end" }, events.Select(e => e.Name));
        var snapshot = await S.Engine.Runs.SnapshotAsync(runId);
        var detail = await S.Engine.Runs.DetailAsync(runId);
        AssertSameJson(snapshot, events.Single(e => e.Name == "run").Data);
        AssertSameJson(detail.Events, events.Single(e => e.Name == "journal").Data);
        AssertSameJson(detail.Metrics, events.Single(e => e.Name == "metrics").Data);
        AssertSameJson(detail.Artifacts, events.Single(e => e.Name == "artifacts").Data);
        AssertSameJson(new { status = RunStatus.Succeeded }, events.Single(e => e.Name == "end").Data);
    }

    [Fact]
    public async Task Activities_answer_is_the_registry_catalog_as_before()
    {
        // Before the records the answer was the registry's own JSON text; now the API's writer escapes '<' no more.
        using var viewer = await S.LoginAsync(Roles.Viewer);
        var body = await TestServer.ReadJsonAsync(await viewer.GetAsync("api/activities"));
        Assert.Contains(body.AsArray(), a => a!["outputs"]!.AsArray().Any(o => o!["kind"] is not null) || a["inputs"]!.AsArray().Any(i => i!["kind"] is not null));
        Assert.Equal(S.Engine.Registry.ToJson().ToJsonString(Web), body.ToJsonString(Web));
    }

    [Fact]
    public async Task A_schedule_with_its_firings_is_the_json_the_store_entities_made()
    {
        await S.SaveAsync("""{ "id": "contract-cron", "nodes": [ { "id": "write", "activity": "test.WriteText", "inputs": { "text": "x" } } ] }""");
        using var op = await S.LoginAsync(Roles.Operator);
        var created = await op.PostAsJsonAsync("api/ops/schedules", new { id = "contract-cron", definition = "contract-cron", cron = "0 0 3 * * ?", enabled = false });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await op.PostAsync("api/ops/schedules/contract-cron/fire", null)).StatusCode);

        var one = await TestServer.ReadJsonAsync(await op.GetAsync("api/ops/schedules/contract-cron"));
        Assert.Equal(new[] { "schedule", "firings" }, one.AsObject().Select(p => p.Key));
        var firings = await S.Engine.Triggers.ListFiringsAsync("schedule", "contract-cron", 50);
        Assert.NotEmpty(firings);
        AssertSameJson(firings, one["firings"]);
    }

    private async Task<string> FinishedRunAsync(string workflowId)
    {
        // Not from the step cache: a cached step records no metrics or artifacts for its run.
        await S.SaveAsync($$"""
            {
              "id": "{{workflowId}}",
              "nodes": [
                { "id": "train", "activity": "test.Train", "inputs": { "steps": 2, "delayMs": 1 }, "cache": false },
                { "id": "write", "activity": "test.WriteText", "inputs": { "text": "contract" }, "cache": false }
              ]
            }
            """);
        using var key = S.WithKey();
        var runId = (await TestServer.ReadJsonAsync(await key.PostAsJsonAsync("api/runs", new { workflowId })))["runId"].Str();
        Assert.Equal("Succeeded", (await S.WaitForRunAsync(key, runId))["run"]!["status"].Str());

        // A step's last journal entries may be written just after its run is marked finished: wait for them.
        for (var i = 0; i < 100 && (await S.Engine.Runs.DetailAsync(runId)) is var d && (d.Metrics.Count < 4 || d.Artifacts.Count == 0); i++)
        {
            await Task.Delay(100);
        }

        return runId;
    }

    /// <summary>
    /// The same fields in the same order with the same values as the value serialized by the server's settings: both
    /// sides are parsed and written again by one writer, so only how characters are escaped may differ.
    /// </summary>
    private static void AssertSameJson<T>(T expected, JsonNode? actual) =>
        Assert.Equal(JsonNode.Parse(JsonSerializer.Serialize(expected, Web))!.ToJsonString(Web), actual?.ToJsonString(Web));
}
