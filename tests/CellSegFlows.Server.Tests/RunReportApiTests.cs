using System.Net;
using System.Net.Http.Json;
using CellSegFlows.Server.Auth;
using CellSegFlows.Server.Security;

namespace CellSegFlows.Server.Tests;

public sealed class RunReportApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    [Fact]
    public async Task A_viewer_gets_a_runs_report_page_that_may_run_nothing_and_only_the_studio_may_frame()
    {
        await S.SaveAsync("""
            { "id": "report-api", "version": 1,
              "nodes": [
                { "id": "sample", "activity": "MakeSampleDataset", "inputs": { "imagesPerCellType": 1, "seed": 2 } },
                { "id": "segment", "activity": "SegmentImageClassical", "map": { "over": "${nodes.sample.images}", "as": "image" },
                  "inputs": { "image": "${image}", "annotations": "${nodes.sample.annotations}" } },
                { "id": "evaluate", "activity": "EvaluateInstances", "inputs": { "annotations": "${nodes.sample.annotations}", "predictions": "${nodes.segment.predictions}" } } ],
              "outputs": { "ap": "${nodes.evaluate.ap}" } }
            """);
        using var key = S.WithKey();
        var started = await key.PostAsJsonAsync("api/runs", new { workflowId = "report-api" });
        var runId = (await TestServer.ReadJsonAsync(started))["runId"].Str();
        Assert.Equal("Succeeded", (await S.WaitForRunAsync(key, runId))["run"]!["status"].Str());

        using var viewer = await S.LoginAsync(Roles.Viewer);
        var page = await viewer.GetAsync($"api/runs/{runId}/report");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Equal(SecurityHeaders.ReportPagePolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("SAMEORIGIN", page.Headers.GetValues("X-Frame-Options").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<table class=\"scores\" data-metric=\"AP\">", html);
        Assert.Contains("data-figure=\"pr50-evaluate\"", html);
        Assert.Contains("data-figure=\"gantt\"", html);
        Assert.Contains("data:image/png;base64,", html);
        Assert.DoesNotContain("<script", html);

        // Every other page keeps the studio's policy and may not be framed.
        var detail = await viewer.GetAsync($"api/runs/{runId}");
        Assert.Equal("DENY", detail.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, detail.Headers.GetValues("Content-Security-Policy").Single());

        Assert.Equal(HttpStatusCode.Unauthorized, (await S.Anonymous().GetAsync($"api/runs/{runId}/report")).StatusCode);
        var missing = await viewer.GetAsync("api/runs/no-such-run/report");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no run no-such-run", await missing.Content.ReadAsStringAsync());
    }

    /// <summary>Two runs (seeds 3 and 4) of a small workflow whose classical baseline is scored with AP: what a comparison compares.</summary>
    internal static async Task<((string Id, double Ap) A, (string Id, double Ap) B)> TwoEvaluatedRunsAsync(TestServer server, string workflow)
    {
        await server.SaveAsync($$"""
            { "id": "{{workflow}}", "version": 1,
              "parameters": { "seed": { "type": "int", "default": 1 } },
              "nodes": [
                { "id": "sample", "activity": "MakeSampleDataset", "inputs": { "imagesPerCellType": 1, "seed": "${params.seed}" } },
                { "id": "segment", "activity": "SegmentImageClassical", "map": { "over": "${nodes.sample.images}", "as": "image" },
                  "inputs": { "image": "${image}", "annotations": "${nodes.sample.annotations}" } },
                { "id": "evaluate", "activity": "EvaluateInstances", "inputs": { "annotations": "${nodes.sample.annotations}", "predictions": "${nodes.segment.predictions}" } } ],
              "outputs": { "ap": "${nodes.evaluate.ap}" } }
            """);
        using var key = server.WithKey();
        async Task<(string Id, double Ap)> RunAsync(int seed)
        {
            var started = await key.PostAsJsonAsync("api/runs", new { workflowId = workflow, parameters = new { seed } });
            var id = (await TestServer.ReadJsonAsync(started))["runId"].Str();
            var run = (await server.WaitForRunAsync(key, id))["run"]!;
            Assert.Equal("Succeeded", run["status"].Str());
            return (id, System.Text.Json.Nodes.JsonNode.Parse(run["outputsJson"].Str())!["ap"]!.GetValue<double>());
        }

        return (await RunAsync(3), await RunAsync(4));
    }

    [Fact]
    public async Task A_viewer_compares_two_runs_tables_with_b_minus_a_and_bad_requests_are_refused_in_one_line()
    {
        var (a, b) = await TwoEvaluatedRunsAsync(S, "compare-api");
        using var viewer = await S.LoginAsync(Roles.Viewer);
        var response = await viewer.GetAsync($"api/runs/compare?a={a.Id}&b={b.Id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var compare = await TestServer.ReadJsonAsync(response);
        Assert.Equal(a.Id, compare["a"].Str());
        Assert.Equal(b.Id, compare["b"].Str());
        Assert.Contains("compare-api", compare["aTitle"].Str());
        Assert.Equal(["F1", "AP", "AFNR"], compare["tables"]!.AsObject().Select(t => t.Key));
        var ap = compare["tables"]!["AP"]!;
        Assert.False(ap["lowerIsBetter"]!.GetValue<bool>());
        Assert.True(compare["tables"]!["AFNR"]!["lowerIsBetter"]!.GetValue<bool>());
        Assert.Equal(["evaluate"], ap["models"]!.AsArray().Select(m => m.Str()));
        var whole = ap["rows"]!.AsArray().First()!;
        Assert.Equal("LIVECell", whole["row"].Str());
        var cell = whole["cells"]![0]!;
        // The whole-set row holds each run's own AP output and their difference.
        Assert.Equal(a.Ap, cell["a"]!.GetValue<double>(), 12);
        Assert.Equal(b.Ap, cell["b"]!.GetValue<double>(), 12);
        Assert.Equal(b.Ap - a.Ap, cell["delta"]!.GetValue<double>(), 12);
        Assert.Contains(ap["rows"]!.AsArray(), r => r!["label"].Str() == "SH-SY5Y");

        var oneRun = await viewer.GetAsync($"api/runs/compare?a={a.Id}");
        Assert.Equal(HttpStatusCode.BadRequest, oneRun.StatusCode);
        Assert.Contains("give both runs", await oneRun.Content.ReadAsStringAsync());
        var unknown = await viewer.GetAsync($"api/runs/compare?a={a.Id}&b=no-such-run");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no run no-such-run", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await S.Anonymous().GetAsync($"api/runs/compare?a={a.Id}&b={b.Id}")).StatusCode);
    }
}
