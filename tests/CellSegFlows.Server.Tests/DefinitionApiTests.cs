using System.Net;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

public sealed class DefinitionApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    private static string Pipeline(string id, string text) => $$"""
        {
          "id": "{{id}}",
          "parameters": { "text": { "type": "string", "default": "{{text}}" } },
          "nodes": [
            { "id": "write", "activity": "test.WriteText", "inputs": { "text": "${params.text}" } },
            { "id": "read", "activity": "test.ReadText", "inputs": { "file": "${nodes.write.file}" } }
          ],
          "outputs": { "text": "${nodes.read.text}" }
        }
        """;

    [Fact]
    public async Task Saving_validates_stores_a_new_version_by_content_hash_with_who_and_when_and_diffs_two_versions()
    {
        using var editor = await S.LoginAsync(Roles.Editor);
        var first = await editor.PostAsync("api/workflows", TestServer.Json(Pipeline("defs-save", "hello")));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var v1 = (await TestServer.ReadJsonAsync(first))["version"]!;
        Assert.Equal("editor", v1["savedBy"].Str());
        Assert.Equal(1, v1["versionLabel"]!.GetValue<int>());

        // The same content again saves nothing new.
        var again = await editor.PostAsync("api/workflows", TestServer.Json(Pipeline("defs-save", "hello")));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await TestServer.ReadJsonAsync(again))["created"]!.GetValue<bool>());

        // A change is a new version; its label is raised above the latest.
        var second = await editor.PostAsync("api/workflows", TestServer.Json(Pipeline("defs-save", "bonjour")));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var body2 = await TestServer.ReadJsonAsync(second);
        Assert.Equal(2, body2["version"]!["versionLabel"]!.GetValue<int>());
        Assert.Contains("raised from 1 to 2", body2["note"].Str());
        var v2 = body2["version"]!;

        var versions = (await TestServer.ReadJsonAsync(await editor.GetAsync("api/workflows/defs-save/versions"))).AsArray();
        Assert.Equal([v2["hash"].Str(), v1["hash"].Str()], versions.Select(v => v!["hash"].Str()));
        var latest = await TestServer.ReadJsonAsync(await editor.GetAsync("api/workflows/defs-save"));
        Assert.Contains("bonjour", latest["json"].Str());

        var diff = await TestServer.ReadJsonAsync(await editor.GetAsync($"api/workflows/defs-save/diff?from={v1["hash"].Str()[..12]}&to={v2["hash"].Str()}"));
        var lines = diff["lines"]!.AsArray();
        Assert.Contains(lines, l => l!["op"].Str() == "-" && l["text"].Str().Contains("\"hello\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l!["op"].Str() == "+" && l["text"].Str().Contains("\"bonjour\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l!["op"].Str() == "-" && l["text"].Str().Contains("\"version\": 1", StringComparison.Ordinal));
        Assert.Equal(2, diff["added"]!.GetValue<int>());

        // Every save is in the audit log with who and when.
        using var viewer = await S.LoginAsync(Roles.Viewer);
        var audit = (await TestServer.ReadJsonAsync(await viewer.GetAsync($"api/audit?target={v2["hash"].Str()}"))).AsArray();
        var entry = Assert.Single(audit);
        Assert.Equal("editor", entry!["actor"].Str());
        Assert.Equal("definition.save", entry["action"].Str());
        Assert.True(DateTimeOffset.UtcNow - entry["time"]!.GetValue<DateTimeOffset>() < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_malformed_definition_is_refused_with_every_problem_listed_and_nothing_is_saved()
    {
        using var editor = await S.LoginAsync(Roles.Editor);

        // Not JSON: the line and column.
        var syntax = await editor.PostAsync("api/workflows", TestServer.Json("{ \"id\": \"defs-bad\",\n  \"nodes\": [ }"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, syntax.StatusCode);
        Assert.Equal("application/problem+json", syntax.Content.Headers.ContentType!.MediaType);
        var syntaxError = (await TestServer.ReadJsonAsync(syntax))["errors"]!.AsArray().Single()!;
        Assert.Equal(2, syntaxError["line"]!.GetValue<int>());

        // Valid JSON, bad workflow: each problem names its node and field.
        var bad = """
            {
              "id": "defs-bad",
              "nodes": [
                { "id": "write", "activity": "test.WriteText", "inputs": { "text": 42 } },
                { "id": "read", "activity": "test.ReadText", "inputs": { "file": "${nodes.nowhere.file}" } },
                { "id": "ghost", "activity": "NoSuchActivity" }
              ]
            }
            """;
        var response = await editor.PostAsync("api/workflows", TestServer.Json(bad));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await TestServer.ReadJsonAsync(response);
        Assert.Contains("problems", problem["title"].Str());
        var errors = problem["errors"]!.AsArray();
        Assert.Contains(errors, e => e!["nodeId"]?.GetValue<string>() == "write" && e["field"].Str() == "nodes[0].inputs.text");
        Assert.Contains(errors, e => e!["nodeId"]?.GetValue<string>() == "read" && e["message"].Str().Contains("nowhere", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!["nodeId"]?.GetValue<string>() == "ghost" && e["message"].Str().Contains("NoSuchActivity", StringComparison.Ordinal));

        // The validate endpoint says the same without saving; nothing was saved by the refused saves.
        var validate = await editor.PostAsync("api/workflows/validate", TestServer.Json(bad));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, validate.StatusCode);
        Assert.Equal(errors.Count, (await TestServer.ReadJsonAsync(validate))["errors"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.NotFound, (await editor.GetAsync("api/workflows/defs-bad")).StatusCode);
        var ok = await editor.PostAsync("api/workflows/validate", TestServer.Json(Pipeline("defs-bad", "fine")));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True((await TestServer.ReadJsonAsync(ok))["valid"]!.GetValue<bool>());

        // An empty body is a problem too.
        Assert.Equal(HttpStatusCode.BadRequest, (await editor.PostAsync("api/workflows", TestServer.Json(""))).StatusCode);
    }

    [Fact]
    public async Task Activities_are_described_for_the_studio_forms_and_the_api_has_an_openapi_document()
    {
        using var viewer = await S.LoginAsync(Roles.Viewer);
        var activities = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/activities"))).AsArray();
        var sample = activities.Single(a => a!["activity"].Str() == "MakeSampleDataset")!;
        Assert.Contains(sample["inputs"]!.AsArray(), i => i!["name"].Str() == "imagesPerCellType");

        // Whether a gpu-queue step may share its device (one step per GPU unless the activity says it can share).
        Assert.False(sample["sharesDevice"]!.GetValue<bool>());
        Assert.True(activities.Single(a => a!["activity"].Str() == "test.ShareDevice")!["sharesDevice"]!.GetValue<bool>());
        Assert.False(activities.Single(a => a!["activity"].Str() == "test.HoldDevice")!["sharesDevice"]!.GetValue<bool>());

        using var anonymous = S.Anonymous();
        var doc = await TestServer.ReadJsonAsync(await anonymous.GetAsync("openapi/v1.json"));
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var path in new[] { "/api/workflows", "/api/workflows/validate", "/api/workflows/{id}/diff", "/api/runs", "/api/runs/{id}", "/api/runs/{id}/cancel", "/api/runs/{id}/retry", "/api/runs/{id}/stream", "/api/artifacts/{hash}", "/api/metrics", "/api/activities", "/api/ops/workers", "/api/ops/schedules" })
        {
            Assert.Contains(path, paths);
        }
    }
}
