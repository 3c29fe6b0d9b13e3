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
}
