using System.Text.Json.Nodes;

namespace CellSegFlows.Cli.Tests;

/// <summary>
/// The quickstart workflow with a Report node added, run for real (SQLite, in-process worker, tiny U-Nets), then
/// <c>cellsegflows report RUN_ID</c> and <c>report --compare</c>; the report page is opened in headless Chromium
/// (Debian's chromium through the studio's playwright-core, script src/CellSegFlows.Studio/tests/report-e2e.mjs) with
/// every network request blocked. The screenshot lands in TestResults/report/.
/// </summary>
public sealed class ReportCommandTests
{
    private static async Task<string> QuickstartWithReportAsync(string folder)
    {
        var definition = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json")))!.AsObject();
        definition["id"] = "quickstart-report";
        definition["nodes"]!.AsArray().Add(JsonNode.Parse("""
            { "id": "report", "activity": "Report", "inputs": {
                "semanticReports": "${nodes.semantic.report}",
                "instanceReports": "${nodes.evaluate.report}", "instanceNames": ["classical baseline"],
                "histories": "${nodes.unet.history}", "historyNames": "${nodes.unet.name}",
                "annotations": "${nodes.test.annotations}", "images": "${nodes.test.images}",
                "predictions": "${nodes.segment.predictions}", "predictionNames": ["classical baseline"],
                "title": "quickstart with its report" } }
            """));
        definition["outputs"]!["reportPage"] = "${nodes.report.html}";
        var path = Path.Combine(folder, "quickstart-report.json");
        await File.WriteAllTextAsync(path, definition.ToJsonString());
        return path;
    }

    private static async Task<string> RunAsync(string workflow, string home, int seed)
    {
        var (code, output) = await CliRunner.RunAsync("run", workflow, "--home", home, "--param", $"seed={seed}", "--param", "epochs=3", "--param", "iterationsPerEpoch=2");
        Assert.True(code == 0, output);
        var (_, list) = await CliRunner.RunAsync("runs", "list", "--home", home, "--limit", "1");
        return list.Split('\n').Select(l => l.Trim('│', ' ')).First(l => l.Contains("quickstart-report", StringComparison.Ordinal)).Split('│')[0].Trim();
    }

    [Fact]
    public async Task A_run_report_opens_offline_in_chromium_with_every_table_and_figure_and_two_runs_compare()
    {
        var home = TestPaths.NewTempFolder();
        var workflow = await QuickstartWithReportAsync(home);
        var runA = await RunAsync(workflow, home, seed: 3);

        // The Report node's own page is an artifact of the run.
        var detail = await new Engine.Hosting.RunQueries(Engine.Store.RunStoreOptions.Sqlite(Path.Combine(home, "runs.db"))).DetailAsync(runA);
        var page = detail.Artifacts.Single(a => a.Name == "report.html");
        var inRun = await File.ReadAllTextAsync(new Engine.Artifacts.LocalArtifactStore(Path.Combine(home, "artifacts")).GetPath(new Engine.Activities.ArtifactRef(page.Hash, page.Name, page.Size)));
        Assert.Contains("<table class=\"scores\" data-metric=\"F1\">", inRun);
        Assert.Contains("data-figure=\"overlay-classical baseline-A172\"", inRun);
        Assert.Contains("data-figure=\"training-validation\"", inRun);
        Assert.Contains("adds the Gantt of the finished run", inRun);

        var outA = Path.Combine(home, "report-a");
        var (code, output) = await CliRunner.RunAsync("report", runA, "--home", home, "--out", outA);
        Assert.True(code == 0, output);
        Assert.Contains("F1 (= Dice)", output);
        Assert.Contains("(paper 0.", output);
        var html = Path.Combine(outA, "report.html");
        Assert.True(File.Exists(Path.Combine(outA, "report.json")));
        Assert.Contains("| LIVECell |", await File.ReadAllTextAsync(Path.Combine(outA, "report.md")));

        var shots = Path.Combine(TestPaths.RepoRoot, "TestResults", "report");
        var found = await ReportBrowser.OpenAsync(html, shots);

        Assert.Empty(found["blocked"]!.AsArray());
        Assert.Empty(found["errors"]!.AsArray());
        // Three score tables (F1: the two U-Nets and the baseline's union masks; AP and AFNR: the baseline), 9 rows each.
        var tables = found["tables"]!.AsArray();
        Assert.Equal(["F1", "AP", "AFNR"], tables.Select(t => t!["metric"]!.GetValue<string>()));
        Assert.All(tables, t => Assert.True(t!["rows"]!.GetValue<int>() >= 9));
        Assert.Equal(4, tables[0]!["columns"]!.GetValue<int>());
        Assert.Equal(["tables", "pca", "synthetic", "pr-curves", "ap-per-iou", "bars", "training", "overlays", "steps"], found["sections"]!.AsArray().Select(s => s!.GetValue<string>()));
        var figures = found["figures"]!.AsArray();
        var ids = figures.Select(f => f!["id"]!.GetValue<string>()).ToList();
        foreach (var expected in new[] { "pr50-evaluate", "pr75-evaluate", "apiou-evaluate", "bars-F1", "bars-AFNR", "training-loss", "training-validation", "training-lr", "gantt" })
        {
            Assert.Contains(expected, ids);
        }

        Assert.Equal(8, ids.Count(i => i.StartsWith("overlay-evaluate-", StringComparison.Ordinal)));
        Assert.All(figures, f =>
        {
            Assert.True(f!["dataUri"]!.GetValue<bool>());
            Assert.True(f["width"]!.GetValue<int>() > 0 && f["height"]!.GetValue<int>() > 0, $"{f["id"]} did not decode");
            Assert.True(f["shown"]!.GetValue<double>() > 0, $"{f["id"]} is not shown");
        });
        Assert.True(found["better"]!.GetValue<int>() + found["worse"]!.GetValue<int>() > 0);
        Assert.True(new FileInfo(Path.Combine(shots, "report.png")).Length > 10_000);

        var runB = await RunAsync(workflow, home, seed: 4);
        var outCompare = Path.Combine(home, "compare");
        (code, output) = await CliRunner.RunAsync("report", "--compare", runA, runB, "--home", home, "--out", outCompare);
        Assert.True(code == 0, output);
        Assert.Contains("A / B / B − A", output);
        var compare = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(outCompare, "compare.json")))!;
        var first = compare["tables"]!["F1"]!["rows"]![0]!["cells"]![0]!;
        Assert.Equal(first["b"]!.GetValue<double>() - first["a"]!.GetValue<double>(), first["delta"]!.GetValue<double>(), 12);
        Assert.Contains("B − A", await File.ReadAllTextAsync(Path.Combine(outCompare, "compare.html")));
    }

    [Fact]
    public async Task Report_refuses_a_wrong_number_of_runs_and_an_unknown_run_in_one_line()
    {
        var home = TestPaths.NewTempFolder();
        var (code, _, errors) = await CliRunner.RunSplitAsync("report", "--compare", "only-one", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("--compare takes two runs", errors);
        (code, _, errors) = await CliRunner.RunSplitAsync("report", "nope", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("no run history", errors);
        Assert.Single(errors.Trim().Split('\n'));
    }
}
