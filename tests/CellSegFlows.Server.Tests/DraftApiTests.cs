using System.Net;
using System.Net.Http.Json;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

/// <summary>Draft and publish: edits are a draft that nothing runs until it is published; a run may name the draft.</summary>
public sealed class DraftApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    private static string Pipeline(string id, string text, string activity = "test.WriteText") => $$"""
        {
          "id": "{{id}}",
          "parameters": { "text": { "type": "string", "default": "{{text}}" } },
          "nodes": [ { "id": "write", "activity": "{{activity}}", "inputs": { "text": "${params.text}" } } ],
          "outputs": { "file": "${nodes.write.file}" }
        }
        """;

    private async Task<string> FireAsync(HttpClient op, string schedule)
    {
        var fired = await op.PostAsync($"api/ops/schedules/{schedule}/fire", null);
        Assert.True(fired.IsSuccessStatusCode, await fired.Content.ReadAsStringAsync());
        var runId = (await TestServer.ReadJsonAsync(fired))["runsStarted"]![0].Str();
        return (await S.WaitForRunAsync(op, runId))["run"]!["definitionHash"].Str();
    }

    private static async Task<string> StartAsync(HttpClient op, object body)
    {
        var started = await op.PostAsJsonAsync("api/runs", body);
        Assert.True(started.StatusCode == HttpStatusCode.Created, await started.Content.ReadAsStringAsync());
        return (await TestServer.ReadJsonAsync(started))["definitionHash"].Str();
    }

    [Fact]
    public async Task A_draft_changes_nothing_that_runs_until_it_is_published_and_a_run_may_name_it()
    {
        var v1 = await S.SaveAsync(Pipeline("drafts-flow", "hello"));
        using var editor = await S.LoginAsync(Roles.Editor);
        using var op = await S.LoginAsync(Roles.Operator);
        Assert.True((await op.PostAsJsonAsync("api/ops/schedules", new { id = "drafts-nightly", definition = "drafts-flow", cron = "0 0 3 * * ?" })).IsSuccessStatusCode);

        var saved = await editor.PutAsync("api/workflows/drafts-flow/draft", TestServer.Json(Pipeline("drafts-flow", "bonjour")));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var draft = await TestServer.ReadJsonAsync(saved);
        Assert.Equal(v1, draft["baseHash"].Str());
        Assert.Equal("editor", draft["savedBy"].Str());
        Assert.Empty(draft["problems"]!.AsArray());

        // Published is still v1: the latest, the versions, a plain run and the schedule.
        Assert.Equal(v1, (await TestServer.ReadJsonAsync(await op.GetAsync("api/workflows/drafts-flow")))["hash"].Str());
        Assert.Single((await TestServer.ReadJsonAsync(await op.GetAsync("api/workflows/drafts-flow/versions"))).AsArray());
        Assert.Equal(v1, await StartAsync(op, new { workflowId = "drafts-flow" }));
        Assert.Equal(v1, await FireAsync(op, "drafts-nightly"));
        var listed = (await TestServer.ReadJsonAsync(await op.GetAsync("api/workflows"))).AsArray().Single(w => w!["id"].Str() == "drafts-flow")!;
        Assert.Equal("editor", listed["draftSavedBy"].Str());
        Assert.Equal(1, listed["versions"]!.GetValue<int>());
        var newest = (await TestServer.ReadJsonAsync(await op.GetAsync("api/runs?workflow=drafts-flow&limit=1"))).AsArray().Single()!;
        Assert.Equal(newest["createdAt"]!.GetValue<DateTimeOffset>(), listed["lastRunAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(newest["status"].Str(), listed["lastRunStatus"].Str());

        // The diff compares the draft with the published version.
        var diff = await TestServer.ReadJsonAsync(await op.GetAsync($"api/workflows/drafts-flow/diff?from={v1}&to=draft"));
        Assert.Contains(diff["lines"]!.AsArray(), l => l!["op"].Str() == "+" && l["text"].Str().Contains("bonjour", StringComparison.Ordinal));
        Assert.Contains(diff["lines"]!.AsArray(), l => l!["op"].Str() == "-" && l["text"].Str().Contains("hello", StringComparison.Ordinal));
        Assert.True(diff["to"]!["draft"]!.GetValue<bool>());

        // A run that names the draft runs it; its content is stored for the run, not as a version.
        var draftHash = await StartAsync(op, new { workflowId = "drafts-flow", draft = true });
        Assert.NotEqual(v1, draftHash);
        var ran = await TestServer.ReadJsonAsync(await op.GetAsync($"api/definitions/{draftHash}"));
        Assert.True(ran["draft"]!.GetValue<bool>());
        Assert.Contains("bonjour", ran["json"].Str(), StringComparison.Ordinal);
        Assert.Equal(v1, (await TestServer.ReadJsonAsync(await op.GetAsync("api/workflows/drafts-flow")))["hash"].Str());
        Assert.Equal(HttpStatusCode.NotFound, (await op.GetAsync($"api/workflows/drafts-flow/export?version={draftHash}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostAsJsonAsync("api/runs", new { workflowId = "drafts-flow", draft = true, version = v1 })).StatusCode);

        // Publishing makes version 2 (the label raised), removes the draft, and from then on runs and triggers use it.
        var published = await editor.PostAsync("api/workflows/drafts-flow/publish", null);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);
        var v2 = (await TestServer.ReadJsonAsync(published))["version"]!;
        Assert.Equal(2, v2["versionLabel"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await op.GetAsync("api/workflows/drafts-flow/draft")).StatusCode);
        Assert.Equal(v2["hash"].Str(), await StartAsync(op, new { workflowId = "drafts-flow" }));
        Assert.Equal(v2["hash"].Str(), await FireAsync(op, "drafts-nightly"));
        Assert.Equal(HttpStatusCode.NotFound, (await editor.PostAsync("api/workflows/drafts-flow/publish", null)).StatusCode);

        var audit = (await TestServer.ReadJsonAsync(await (await S.LoginAsync(Roles.Admin)).GetAsync("api/audit?limit=200"))).AsArray().Select(a => a!["action"].Str()).ToList();
        Assert.Contains("definition.draft", audit);
        Assert.Contains("definition.publish", audit);
    }

    [Fact]
    public async Task Editors_save_and_publish_drafts_operators_run_them_viewers_do_neither()
    {
        await S.SaveAsync(Pipeline("drafts-roles", "a"));
        using var viewer = await S.LoginAsync(Roles.Viewer);
        using var op = await S.LoginAsync(Roles.Operator);
        using var editor = await S.LoginAsync(Roles.Editor);
        foreach (var client in new[] { viewer, op })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsync("api/workflows/drafts-roles/draft", TestServer.Json(Pipeline("drafts-roles", "b")))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("api/workflows/drafts-roles/publish", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync("api/workflows/drafts-roles/draft")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await editor.PutAsync("api/workflows/drafts-roles/draft", TestServer.Json(Pipeline("drafts-roles", "b")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("api/workflows/drafts-roles/draft")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.PostAsJsonAsync("api/runs", new { workflowId = "drafts-roles", draft = true })).StatusCode);
        await StartAsync(op, new { workflowId = "drafts-roles", draft = true });
        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync("api/workflows/drafts-roles/draft")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await editor.DeleteAsync("api/workflows/drafts-roles/draft")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsJsonAsync("api/runs", new { workflowId = "drafts-roles", draft = true })).StatusCode);
    }

    [Fact]
    public async Task An_invalid_draft_is_kept_with_its_problems_but_neither_published_nor_run()
    {
        using var editor = await S.LoginAsync(Roles.Editor);
        using var op = await S.LoginAsync(Roles.Operator);
        var saved = await editor.PutAsync("api/workflows/drafts-new/draft", TestServer.Json(Pipeline("drafts-new", "x", activity: "test.NoSuchThing")));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var problem = Assert.Single((await TestServer.ReadJsonAsync(saved))["problems"]!.AsArray())!;
        Assert.Equal("write", problem["nodeId"].Str());

        // Never published: listed with its draft only; nothing to run by default.
        var listed = (await TestServer.ReadJsonAsync(await op.GetAsync("api/workflows"))).AsArray().Single(w => w!["id"].Str() == "drafts-new")!;
        Assert.Null(listed["latest"]);
        Assert.Equal(HttpStatusCode.NotFound, (await op.GetAsync("api/workflows/drafts-new")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsJsonAsync("api/runs", new { workflowId = "drafts-new" })).StatusCode);

        var publish = await editor.PostAsync("api/workflows/drafts-new/publish", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, publish.StatusCode);
        Assert.Contains("test.NoSuchThing", await publish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await op.PostAsJsonAsync("api/runs", new { workflowId = "drafts-new", draft = true })).StatusCode);

        // Fixed, it publishes as version 1.
        Assert.Equal(HttpStatusCode.OK, (await editor.PutAsync("api/workflows/drafts-new/draft", TestServer.Json(Pipeline("drafts-new", "x")))).StatusCode);
        var first = await editor.PostAsync("api/workflows/drafts-new/publish", null);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(1, (await TestServer.ReadJsonAsync(first))["version"]!["versionLabel"]!.GetValue<int>());

        // A body for another workflow, or one that does not parse, is refused with what is wrong.
        var other = await editor.PutAsync("api/workflows/drafts-new/draft", TestServer.Json(Pipeline("drafts-other", "x")));
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Contains("'drafts-other'", (await TestServer.ReadJsonAsync(other))["detail"].Str(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await editor.PutAsync("api/workflows/drafts-new/draft", TestServer.Json("{ \"id\": \"drafts-new\", \"nodes\": [ }"))).StatusCode);
    }
}
