using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Activities;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

/// <summary>A restricted server (as serve runs) with one data root, for the trigger endpoints.</summary>
public sealed class RestrictedServerFixture : IAsyncLifetime
{
    internal TestServer Server { get; private set; } = null!;

    /// <summary>The data folder of the engine (HOME/data): a watch's folder may be here.</summary>
    internal string DataFolder { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync(configure: o => o with { HostAccess = ServerHostAccess.Create(o.Home) });
        DataFolder = ServerHostAccess.DataFolder(Server.Engine.Options.Home);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class TriggerApiTests(RestrictedServerFixture fixture) : IClassFixture<RestrictedServerFixture>
{
    private TestServer S => fixture.Server;

    private static string Definition(string id, int value) =>
        $$"""{ "id": "{{id}}", "version": {{value}}, "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": {{value}} } } ] }""";

    [Fact]
    public async Task An_operator_creates_edits_pauses_resumes_fires_and_removes_a_schedule_and_every_change_is_audited()
    {
        var v1 = await S.SaveAsync(Definition("api-sched", 1));
        using var op = await S.LoginAsync(Roles.Operator);

        var created = await op.PostAsJsonAsync("api/ops/schedules", new { id = "api-nightly", definition = "api-sched", cron = "0 0 3 * * ?", parameters = new { } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var schedule = await TestServer.ReadJsonAsync(created);
        Assert.Equal("api-sched", schedule["workflowId"].Str());
        Assert.Null(schedule["workflowPath"]);
        Assert.Null(schedule["pinnedVersion"]);
        Assert.Equal(v1, schedule["definitionHash"].Str());
        Assert.Equal(3, schedule["nextFireTime"]!.GetValue<DateTimeOffset>().ToLocalTime().Hour);
        Assert.Equal(5, schedule["nextFireTimes"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.Conflict, (await op.PostAsJsonAsync("api/ops/schedules", new { id = "api-nightly", definition = "api-sched", cron = "0 0 3 * * ?" })).StatusCode);

        var edited = await op.PutAsJsonAsync("api/ops/schedules/api-nightly", new { definition = "api-sched", cron = "0 15 4 * * ?", misfire = "fire-once", allowOverlap = true });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var after = await TestServer.ReadJsonAsync(edited);
        Assert.Equal("0 15 4 * * ?", after["cron"].Str());
        Assert.Equal("fire-once", after["misfire"].Str());
        Assert.Equal((4, 15), (after["nextFireTime"]!.GetValue<DateTimeOffset>().ToLocalTime().Hour, after["nextFireTime"]!.GetValue<DateTimeOffset>().ToLocalTime().Minute));
        Assert.Equal(HttpStatusCode.NotFound, (await op.PutAsJsonAsync("api/ops/schedules/nope", new { definition = "api-sched", cron = "0 0 3 * * ?" })).StatusCode);

        Assert.False((await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/schedules/api-nightly/pause", null)))["enabled"]!.GetValue<bool>());
        Assert.True((await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/schedules/api-nightly/resume", null)))["enabled"]!.GetValue<bool>());

        // Fire now: one run of the latest version, journalled as fired by the operator.
        var v2 = await S.SaveAsync(Definition("api-sched", 2));
        var fired = await op.PostAsync("api/ops/schedules/api-nightly/fire", null);
        Assert.Equal(HttpStatusCode.OK, fired.StatusCode);
        var runId = (await TestServer.ReadJsonAsync(fired))["runsStarted"]![0].Str();
        var run = (await S.WaitForRunAsync(op, runId))["run"]!;
        Assert.Equal(("Succeeded", v2, "manual", "operator"), (run["status"].Str(), run["definitionHash"].Str(), run["trigger"].Str(), run["startedBy"].Str()));
        var detail = await TestServer.ReadJsonAsync(await op.GetAsync("api/ops/schedules/api-nightly"));
        var firing = detail["firings"]!.AsArray().First()!;
        Assert.Equal(("Started", runId, "operator"), (firing["outcome"].Str(), firing["runId"].Str(), firing["firedBy"].Str()));
        Assert.Equal("operator", detail["schedule"]!["lastFiredBy"].Str());

        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync("api/ops/schedules/api-nightly")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.DeleteAsync("api/ops/schedules/api-nightly")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsync("api/ops/schedules/api-nightly/fire", null)).StatusCode);

        var audit = (await TestServer.ReadJsonAsync(await op.GetAsync("api/audit?target=api-nightly"))).AsArray()
            .Select(a => $"{a!["action"].Str()} {a["actor"].Str()}").Reverse().ToList();
        Assert.Equal(["schedule.save operator", "schedule.save operator", "schedule.pause operator", "schedule.resume operator", "schedule.fire operator", "schedule.remove operator"], audit);
    }

    [Fact]
    public async Task A_pinned_schedule_runs_its_version_after_a_newer_one_is_saved()
    {
        var v1 = await S.SaveAsync(Definition("api-pinned", 1));
        await S.SaveAsync(Definition("api-pinned", 2));
        using var op = await S.LoginAsync(Roles.Operator);
        var created = await TestServer.ReadJsonAsync(await op.PostAsJsonAsync("api/ops/schedules", new { id = "api-pin", definition = "api-pinned", pinnedVersion = v1[..12], cron = "0 0 3 * * ?" }));
        Assert.Equal(v1, created["pinnedVersion"].Str());

        var runId = (await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/schedules/api-pin/fire", null)))["runsStarted"]![0].Str();
        Assert.Equal(v1, (await S.WaitForRunAsync(op, runId))["run"]!["definitionHash"].Str());
        await op.DeleteAsync("api/ops/schedules/api-pin");
    }

    [Fact]
    public async Task Bad_cron_glob_ids_and_files_are_refused_naming_the_field_and_validate_returns_the_next_fire_times()
    {
        await S.SaveAsync(Definition("api-bad", 1));
        using var op = await S.LoginAsync(Roles.Operator);

        async Task<(HttpStatusCode, string?)> Post(string path, object body)
        {
            var response = await op.PostAsJsonAsync(path, body);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            return (response.StatusCode, problem?["field"]?.GetValue<string>());
        }

        Assert.Equal((HttpStatusCode.BadRequest, "cron"), await Post("api/ops/schedules", new { id = "b1", definition = "api-bad", cron = "0 3 * * *" }));
        Assert.Equal((HttpStatusCode.BadRequest, "cron"), await Post("api/ops/schedules", new { id = "b1", definition = "api-bad", cron = new string('1', 300) }));
        Assert.Equal((HttpStatusCode.BadRequest, "id"), await Post("api/ops/schedules", new { id = "bad id!", definition = "api-bad", cron = "0 0 3 * * ?" }));
        Assert.Equal((HttpStatusCode.BadRequest, "id"), await Post("api/ops/schedules", new { id = new string('a', 101), definition = "api-bad", cron = "0 0 3 * * ?" }));
        Assert.Equal((HttpStatusCode.BadRequest, "definition"), await Post("api/ops/schedules", new { id = "b1", definition = "no-such", cron = "0 0 3 * * ?" }));
        Assert.Equal((HttpStatusCode.BadRequest, "pinnedVersion"), await Post("api/ops/schedules", new { id = "b1", definition = "api-bad", pinnedVersion = "../x", cron = "0 0 3 * * ?" }));
        Assert.Equal((HttpStatusCode.BadRequest, "misfire"), await Post("api/ops/schedules", new { id = "b1", definition = "api-bad", cron = "0 0 3 * * ?", misfire = "later" }));
        Assert.Equal((HttpStatusCode.BadRequest, "parameters"), await Post("api/ops/schedules", new { id = "b1", definition = "api-bad", cron = "0 0 3 * * ?", parameters = new { nope = 1 } }));
        var many = Enumerable.Range(0, 101).ToDictionary(i => $"p{i}", i => i);
        Assert.Equal((HttpStatusCode.BadRequest, "parameters"), await Post("api/ops/schedules", new { id = "b1", definition = "api-bad", cron = "0 0 3 * * ?", parameters = many }));
        Assert.Equal((HttpStatusCode.Forbidden, "workflow"), await Post("api/ops/schedules", new { id = "b1", workflow = "/etc/passwd", cron = "0 0 3 * * ?" }));
        Assert.Equal((HttpStatusCode.BadRequest, "glob"), await Post("api/ops/watches", new { id = "w1", definition = "api-bad", folder = fixture.DataFolder, glob = "a/b", parameterName = "x" }));
        Assert.Equal((HttpStatusCode.BadRequest, "glob"), await Post("api/ops/watches/validate", new { glob = "" }));
        var big = await op.PostAsync("api/ops/schedules", TestServer.Json($$"""{ "id": "b1", "definition": "api-bad", "cron": "0 0 3 * * ?", "x": "{{new string('x', 300_000)}}" }"""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);

        var bad = await op.PostAsJsonAsync("api/ops/schedules/validate", new { cron = "0 0 25 * * ?" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.StartsWith("cron: '0 0 25 * * ?' is not a Quartz cron expression", JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["detail"].Str());
        var good = await TestServer.ReadJsonAsync(await op.PostAsJsonAsync("api/ops/schedules/validate", new { cron = "0 0/15 * * * ?", count = 3 }));
        var times = good["nextFireTimes"]!.AsArray().Select(t => t!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(3, times.Count);
        Assert.All(times.Zip(times.Skip(1)), p => Assert.Equal(TimeSpan.FromMinutes(15), p.Second - p.First));
        Assert.DoesNotContain(await S.Engine.Triggers.ListSchedulesAsync(), s => s.Schedule.Id == "b1");
    }

    [Fact]
    public async Task A_watch_folder_must_be_inside_the_data_roots_and_an_operator_manages_and_scans_a_watch()
    {
        await S.SaveAsync("""
            { "id": "api-anno", "parameters": { "file": { "type": "string" } },
              "nodes": [ { "id": "take", "activity": "test.Constant", "inputs": { "value": 7, "key": "${params.file}" }, "cache": false } ] }
            """);
        using var op = await S.LoginAsync(Roles.Operator);
        var outside = Directory.CreateDirectory(Path.Combine(S.Home, "outside")).FullName;
        foreach (var folder in new[] { outside, "/etc", "../outside", Path.Combine(fixture.DataFolder, "..", "outside") })
        {
            var refused = await op.PostAsJsonAsync("api/ops/watches", new { id = "api-w", definition = "api-anno", folder, parameterName = "file" });
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("folder", JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["field"].Str());
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await op.PostAsJsonAsync("api/ops/watches/validate", new { folder = outside })).StatusCode);
        var inbox = Directory.CreateDirectory(Path.Combine(fixture.DataFolder, "inbox")).FullName;
        var created = await op.PostAsJsonAsync("api/ops/watches", new { id = "api-w", definition = "api-anno", folder = "inbox", glob = "*.json", parameterName = "file", settle = "0s", pollInterval = "1h" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var watch = await TestServer.ReadJsonAsync(created);
        Assert.Equal(inbox, watch["folder"].Str());
        Assert.Null(watch["workflowPath"]);

        Assert.False((await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/watches/api-w/pause", null)))["enabled"]!.GetValue<bool>());
        await File.WriteAllTextAsync(Path.Combine(inbox, "a.json"), "{}");
        var scan = await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/watches/api-w/fire", null));
        var runId = Assert.Single(scan["runsStarted"]!.AsArray())!.Str();
        Assert.Equal(Path.Combine(inbox, "a.json"), JsonNode.Parse((await S.WaitForRunAsync(op, runId))["run"]!["parametersJson"].Str())!["file"].Str());
        Assert.Empty((await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/watches/api-w/fire", null)))["runsStarted"]!.AsArray());
        Assert.True((await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/watches/api-w/resume", null)))["enabled"]!.GetValue<bool>());

        var edited = await op.PutAsJsonAsync("api/ops/watches/api-w", new { definition = "api-anno", folder = inbox, glob = "*.txt", parameterName = "file" });
        Assert.Equal("*.txt", (await TestServer.ReadJsonAsync(edited))["glob"].Str());
        Assert.Equal(HttpStatusCode.NoContent, (await op.DeleteAsync("api/ops/watches/api-w")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsync("api/ops/watches/api-w/fire", null)).StatusCode);

        var audit = (await TestServer.ReadJsonAsync(await op.GetAsync("api/audit?target=api-w"))).AsArray().Select(a => a!["action"].Str()).Reverse().ToList();
        Assert.Equal(["watch.save", "watch.pause", "watch.scan", "watch.scan", "watch.resume", "watch.save", "watch.remove"], audit);
    }

    [Fact]
    public async Task Viewers_and_editors_may_list_triggers_but_not_change_or_fire_them()
    {
        await S.SaveAsync(Definition("api-roles", 1));
        using (var op = await S.LoginAsync(Roles.Operator))
        {
            Assert.Equal(HttpStatusCode.Created, (await op.PostAsJsonAsync("api/ops/schedules", new { id = "api-roles-s", definition = "api-roles", cron = "0 0 3 * * ?" })).StatusCode);
        }

        foreach (var role in new[] { Roles.Viewer, Roles.Editor })
        {
            using var client = await S.LoginAsync(role);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/ops/schedules")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/ops/watches")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("api/ops/schedules/validate", new { cron = "0 0 3 * * ?" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("api/ops/schedules", new { id = "x", definition = "api-roles", cron = "0 0 3 * * ?" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsJsonAsync("api/ops/schedules/api-roles-s", new { definition = "api-roles", cron = "0 0 4 * * ?" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync("api/ops/schedules/api-roles-s")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("api/ops/schedules/api-roles-s/fire", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("api/ops/schedules/api-roles-s/pause", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostJsonAsync("api/ops/watches", new { id = "x" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("api/ops/watches/x/fire", null)).StatusCode);
        }

        using var admin = await S.LoginAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("api/ops/schedules/api-roles-s/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("api/ops/schedules/api-roles-s")).StatusCode);
        Assert.Equal(["schedule.remove admin", "schedule.pause admin", "schedule.save operator"],
            (await TestServer.ReadJsonAsync(await admin.GetAsync("api/audit?target=api-roles-s"))).AsArray().Select(a => $"{a!["action"].Str()} {a["actor"].Str()}"));
    }

    [Fact]
    public async Task A_definition_is_exported_as_a_download_of_its_latest_or_a_given_version()
    {
        var v1 = await S.SaveAsync(Definition("api-export", 1));
        var v2 = await S.SaveAsync(Definition("api-export", 2));
        using var viewer = await S.LoginAsync(Roles.Viewer);
        var latest = await viewer.GetAsync("api/workflows/api-export/export");
        Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
        Assert.Equal("application/json", latest.Content.Headers.ContentType!.MediaType);
        Assert.Equal("api-export.json", latest.Content.Headers.ContentDisposition!.FileNameStar ?? latest.Content.Headers.ContentDisposition.FileName);
        Assert.Equal("attachment", latest.Content.Headers.ContentDisposition.DispositionType);
        var json = await latest.Content.ReadAsStringAsync();
        Assert.Equal(2, JsonNode.Parse(json)!["version"]!.GetValue<int>());
        Assert.Equal(v2, Engine.Definitions.DefinitionHash.Compute(Engine.Definitions.WorkflowDefinitionReader.Parse(json, "export")));

        var first = await (await viewer.GetAsync($"api/workflows/api-export/export?version={v1[..8]}")).Content.ReadAsStringAsync();
        Assert.Equal(v1, Engine.Definitions.DefinitionHash.Compute(Engine.Definitions.WorkflowDefinitionReader.Parse(first, "export")));
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("api/workflows/api-export/export?version=abcdef12")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("api/workflows/no-such/export")).StatusCode);
    }
}

internal static class HttpClientJson
{
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) => client.PostAsJsonAsync(path, body);
}
