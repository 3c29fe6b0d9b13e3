using System.Diagnostics;
using System.Net.Http.Json;
using CellSegFlows.Engine.Triggers;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

/// <summary>
/// The studio in headless Chromium (Debian's <c>chromium</c>, installed by .ci/run) driven by playwright-core from
/// the studio's node_modules, against a real server: the script's steps are in
/// src/CellSegFlows.Studio/tests/studio-e2e.mjs. Screenshots land in TestResults/studio/.
/// </summary>
public sealed class StudioBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private const string Demo = """
        {
          "id": "ui-demo",
          "version": 1,
          "description": "Quickstart plus a pretend training step, for the studio test.",
          "parameters": {
            "imagesPerCellType": { "type": "int", "default": 1, "description": "Sample images per cell line." },
            "seed": { "type": "int", "default": 1, "description": "Seed of the sample." }
          },
          "nodes": [
            { "id": "sample", "activity": "MakeSampleDataset", "inputs": { "imagesPerCellType": "${params.imagesPerCellType}", "seed": "${params.seed}" } },
            { "id": "segment", "activity": "SegmentImageClassical", "map": { "over": "${nodes.sample.images}", "as": "image" },
              "inputs": { "image": "${image}", "annotations": "${nodes.sample.annotations}" } },
            { "id": "evaluate", "activity": "EvaluateInstances",
              "inputs": { "annotations": "${nodes.sample.annotations}", "predictions": "${nodes.segment.predictions}" } },
            { "id": "train", "activity": "test.Train", "inputs": { "steps": 12, "delayMs": 150 } },
            { "id": "pca", "activity": "DatasetPca", "inputs": { "annotations": "${nodes.sample.annotations}", "images": "${nodes.sample.images}" } }
          ],
          "outputs": { "ap": "${nodes.evaluate.ap}", "loss": "${nodes.train.finalLoss}", "pca": "${nodes.pca.plot}" }
        }
        """;

    private const string Inbox = """
        { "id": "ui-inbox", "description": "Takes each file a watch passes.", "parameters": { "file": { "type": "string" } },
          "nodes": [ { "id": "take", "activity": "test.Constant", "inputs": { "value": 1, "key": "${params.file}" }, "cache": false } ] }
        """;

    [Fact]
    public async Task A_user_edits_validates_saves_runs_and_inspects_a_workflow_in_the_studio()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        var studio = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        Assert.True(File.Exists(Path.Combine(studio, "index.html")), $"the studio is not built into {studio}");
        var script = Path.Combine(TestPaths.RepoRoot, "src", "CellSegFlows.Studio", "tests", "studio-e2e.mjs");
        var output = Path.Combine(TestPaths.RepoRoot, "TestResults", "studio");
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        Directory.CreateDirectory(output);
        // Restricted as `serve` is: a watch made in the studio may only name a folder inside the data roots (HOME/data here).
        await using var server = await TestServer.StartAsync(studio, o =>
        {
            Directory.CreateDirectory(Path.Combine(o.Home, "data", "incoming"));
            return o with { HostAccess = Activities.ServerHostAccess.Create(o.Home) };
        });
        await server.SaveAsync(Demo);
        await server.SaveAsync(Inbox);
        var nightly = Path.Combine(server.Home, "nightly.json");
        await File.WriteAllTextAsync(nightly, Demo);
        await server.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("nightly-demo", nightly, "0 0 3 * * ?"));

        var log = await RunScriptAsync(script, server, output, Roles.Admin, new Dictionary<string, string> { ["INBOX_DIR"] = Path.Combine(server.Home, "data", "incoming") });
        Assert.Contains("studio-e2e: done", log);
        Assert.True(File.Exists(Path.Combine(output, "downloaded-report.md")));
        Assert.True(Directory.GetFiles(output, "*.png").Length >= 10, "screenshots are missing");

        // What the browser did is in the store: version 2 saved by admin, a run started by admin that succeeded.
        var versions = await server.Engine.Runs.ListAsync("ui-demo");
        var run = Assert.Single(versions);
        Assert.Equal("admin", run.StartedBy);
        Assert.Equal(Engine.Store.RunStatus.Succeeded, run.Status);
        Assert.Contains("\"seed\":3", run.ParametersJson, StringComparison.Ordinal);

        // The watch made, edited and scanned in the studio started one run of its definition with the file's path.
        var inbox = Assert.Single(await server.Engine.Runs.ListAsync("ui-inbox"));
        Assert.Equal(Engine.Store.RunStatus.Succeeded, inbox.Status);
        Assert.Contains(Path.Combine(server.Home, "data", "incoming", "a.txt"), inbox.ParametersJson, StringComparison.Ordinal);
        Assert.Empty(await server.Engine.Triggers.ListFileWatchesAsync());
    }

    [Fact]
    public async Task The_metrics_page_plots_a_metric_over_three_runs_with_the_champion_marked_and_leads_to_an_artifacts_lineage_and_two_runs_compare()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        var studio = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        Assert.True(File.Exists(Path.Combine(studio, "index.html")), $"the studio is not built into {studio}");
        var output = Path.Combine(TestPaths.RepoRoot, "TestResults", "studio-across");
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        Directory.CreateDirectory(output);
        await using var server = await TestServer.StartAsync(studio);
        await AcrossRunsApiTests.ThreeRunsWithAChampionAsync(server, "ui-across", "ui-model");
        var (a, b) = await RunReportApiTests.TwoEvaluatedRunsAsync(server, "ui-compare");
        var script = Path.Combine(TestPaths.RepoRoot, "src", "CellSegFlows.Studio", "tests", "across-e2e.mjs");

        // A viewer: reading across runs needs no other role.
        var log = await RunScriptAsync(script, server, output, Roles.Viewer, new Dictionary<string, string>
        {
            ["COMPARE_WORKFLOW"] = "ui-compare", ["COMPARE_A"] = a.Id, ["COMPARE_B"] = b.Id,
            ["COMPARE_DELTA"] = (b.Ap - a.Ap).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Contains("across-e2e: done", log);
        Assert.Equal(4, Directory.GetFiles(output, "*.png").Length);
    }

    [Fact]
    public async Task A_pipeline_built_in_the_designer_by_dragging_and_connecting_is_published_run_three_times_and_plotted_across_runs()
    {
        var (studio, output) = Prepare("studio-designer");
        await using var server = await TestServer.StartAsync(studio);
        var script = Path.Combine(TestPaths.RepoRoot, "src", "CellSegFlows.Studio", "tests", "designer-e2e.mjs");

        var log = await RunScriptAsync(script, server, output, Roles.Admin, []);
        Assert.Contains("designer-e2e: done", log);
        Assert.True(Directory.GetFiles(output, "*.png").Length >= 6, "screenshots are missing");

        // What the browser built is what was published and run: the layout kept, three runs with the seeds typed in.
        var runs = await server.Engine.Runs.ListAsync("designed");
        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.Equal(Engine.Store.RunStatus.Succeeded, r.Status));
        Assert.Equal(["1", "2", "3"], runs.Select(r => System.Text.Json.JsonDocument.Parse(r.ParametersJson).RootElement.GetProperty("seed").ToString()).Order());
    }

    [Fact]
    public async Task The_operations_view_lists_a_draining_worker_as_draining_and_a_gpu_node_says_how_it_holds_its_device()
    {
        var (studio, output) = Prepare("studio-ops");
        await using var server = await TestServer.StartAsync(studio);
        await server.SaveAsync("""
            { "id": "ui-gpu", "nodes": [
                { "id": "shared", "activity": "test.ShareDevice", "inputs": { "milliseconds": 1, "key": "s" } },
                { "id": "alone", "activity": "test.HoldDevice", "inputs": { "milliseconds": 1, "key": "a" } },
                { "id": "cpu", "activity": "test.Constant", "inputs": { "value": 1 } } ] }
            """);
        await server.SaveAsync("""{ "id": "ui-drain", "nodes": [ { "id": "slow", "activity": "test.Sleep", "inputs": { "milliseconds": 300000, "key": "ui-drain" }, "cache": false } ] }""");
        using var key = server.WithKey();
        var runId = (await TestServer.ReadJsonAsync(await key.PostAsJsonAsync("api/runs", new { workflowId = "ui-drain" })))["runId"]!.GetValue<string>();
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while ((await server.Engine.Runs.SnapshotAsync(runId, limit.Token)).Steps.All(st => st.Status != Engine.Store.StepStatus.Running))
            {
                await Task.Delay(50, limit.Token);
            }
        }

        // The server's own worker drains (as `serve` does on SIGTERM) while its step runs; the browser looks meanwhile.
        using var handBack = new CancellationTokenSource();
        var drain = server.Engine.DrainAsync(TimeSpan.FromMinutes(5), null, handBack.Token);
        var script = Path.Combine(TestPaths.RepoRoot, "src", "CellSegFlows.Studio", "tests", "ops-e2e.mjs");
        try
        {
            var log = await RunScriptAsync(script, server, output, Roles.Viewer, new Dictionary<string, string> { ["WORKER_NAME"] = server.Engine.Options.WorkerName });
            Assert.Contains("ops-e2e: done", log);
            Assert.Equal(2, Directory.GetFiles(output, "*.png").Length);
        }
        finally
        {
            await handBack.CancelAsync();
        }

        Assert.Equal(new Engine.Hosting.DrainResult(0, 1), await drain);
    }

    /// <summary>Checks Chromium and the built studio are there and empties the screenshot folder; the studio's folder and that one.</summary>
    private static (string Studio, string Output) Prepare(string folder)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        var studio = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        Assert.True(File.Exists(Path.Combine(studio, "index.html")), $"the studio is not built into {studio}");
        var output = Path.Combine(TestPaths.RepoRoot, "TestResults", folder);
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        Directory.CreateDirectory(output);
        return (studio, output);
    }

    /// <summary>Runs a playwright-core script of the studio's tests against the server, signed in as the role's user; its output, or a failure with it.</summary>
    private static async Task<string> RunScriptAsync(string script, TestServer server, string output, string role, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        start.Environment["BASE_URL"] = server.BaseAddress.ToString();
        start.Environment["OUT_DIR"] = output;
        start.Environment["STUDIO_USER"] = role;
        start.Environment["STUDIO_PASSWORD"] = TestServer.Password(role);
        start.Environment["CHROMIUM"] = Chromium;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw new TimeoutException($"the browser test ran past 180 s:\n{await stdout}\n{await stderr}");
        }

        var log = $"{await stdout}\n{await stderr}";
        Assert.True(node.ExitCode == 0, log);
        return log;
    }
}
