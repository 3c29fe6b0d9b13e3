using System.Diagnostics;
using System.Text.Json.Nodes;

namespace CellSegFlows.Cli.Tests;

/// <summary>
/// <c>workflows/livecell-paper.json</c> at its <c>smoke</c> budget, run for real by the command line (SQLite, in-process
/// worker, the offline sample, tiny U-Nets and a few CenterMask iterations), then its report, the Report node's page and
/// <c>cellsegflows report RUN_ID</c>'s, opened in headless Chromium with every request blocked: every table and figure of
/// the paper is there. Screenshots land in TestResults/paper-smoke/.
/// </summary>
public sealed class PaperWorkflowTests
{
    private static readonly string[] Sections = ["tables", "pca", "synthetic", "pr-curves", "ap-per-iou", "bars", "training", "overlays", "steps"];

    private static readonly string[] CenterMasks =
        ["CenterMask (L)", "CenterMask (EL)", "CenterMask SH-SY5Y (L)", "CenterMask SH-SY5Y (EL)", "CenterMask SkBr3 (L)", "CenterMask SkBr3 (EL)"];

    [Fact]
    public async Task The_paper_workflow_runs_every_experiment_on_the_smoke_budget_and_its_report_opens_offline_with_every_table_and_figure()
    {
        var home = TestPaths.NewTempFolder();
        var workflow = Path.Combine(TestPaths.RepoRoot, "workflows", "livecell-paper.json");
        var clock = Stopwatch.StartNew();
        var (code, output) = await CliRunner.RunAsync("run", workflow, "--home", home);
        clock.Stop();
        Assert.True(code == 0, output);
        Console.WriteLine($"livecell-paper, budget smoke: {clock.Elapsed.TotalSeconds:0} s");

        var runs = new Engine.Hosting.RunQueries(Engine.Store.RunStoreOptions.Sqlite(Path.Combine(home, "runs.db")));
        var detail = await runs.DetailAsync(Assert.Single(await runs.ListAsync("livecell-paper")).Id);
        int Steps(string node) => detail.Steps.Count(s => s.NodeId == node);
        Assert.Equal(8, Steps("unet"));                 // Tables 1-2's grid
        Assert.Equal(1, Steps("unetCalibrated"));
        Assert.Equal(6, Steps("finetune"));             // Tables 3-4's grid; no oracle without its checkpoint
        Assert.Equal(6, Steps("predict"));
        Assert.Equal(6, Steps("masks"));
        Assert.Equal(2, Steps("syntheticPaper"));       // the smoke budget's two densities, twice: the paper's cap and ours
        Assert.Equal(2, Steps("syntheticCalibrated"));
        Assert.All(new[] { "budget", "train", "val", "test", "bank", "pcaOriginal", "pcaExtended", "pcaCalibrated", "instances", "semantic", "semanticCalibrated", "report" }, n => Assert.Equal(1, Steps(n)));
        // The budget reached the nodes: each U-Net trained its 2 iterations (the ensemble 2 per member, one member per
        // cell type), CenterMask its 2.
        long Iterations(Engine.Store.StepRecord s) => JsonNode.Parse(s.OutputsJson!)!["iterations"]!.GetValue<long>();
        Assert.All(detail.Steps.Where(s => s.NodeId is "unet" or "unetCalibrated"), s => Assert.Equal(s.MapIndex == 3 && s.NodeId == "unet" ? 2 * 8 : 2, Iterations(s)));
        Assert.All(detail.Steps.Where(s => s.NodeId == "finetune"), s => Assert.Equal(2, Iterations(s)));

        var store = new Engine.Artifacts.LocalArtifactStore(Path.Combine(home, "artifacts"));
        var page = detail.Artifacts.Single(a => a.Name == "report.html");
        var nodePage = store.GetPath(new Engine.Activities.ArtifactRef(page.Hash, page.Name, page.Size));
        var shots = Path.Combine(TestPaths.RepoRoot, "TestResults", "paper-smoke");
        var inRun = await ReportBrowser.OpenAsync(nodePage, Path.Combine(shots, "node"));
        Check(inRun, gantt: false);
        Assert.Contains(inRun["missing"]!.AsArray(), m => m!.GetValue<string>().Contains("Oracle V-99 is not in this run", StringComparison.Ordinal));

        var outDir = Path.Combine(home, "report");
        (code, output) = await CliRunner.RunAsync("report", detail.Run.Id, "--home", home, "--out", outDir);
        Assert.True(code == 0, output);
        var cli = await ReportBrowser.OpenAsync(Path.Combine(outDir, "report.html"), Path.Combine(shots, "cli"));
        Check(cli, gantt: true);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(outDir, "report.json")))!;
        Assert.StartsWith("smoke: ", json["budget"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(shots, "cli", "report.png")).Length > 100_000);
    }

    private static void Check(JsonNode found, bool gantt)
    {
        Assert.Empty(found["blocked"]!.AsArray());
        Assert.Empty(found["errors"]!.AsArray());
        var tables = found["tables"]!.AsArray();
        Assert.Equal(["F1", "AP", "AFNR"], tables.Select(t => t!["metric"]!.GetValue<string>()));
        Assert.All(tables, t => Assert.Equal(9, t!["rows"]!.GetValue<int>()));   // LIVECell and the 8 cell types
        Assert.Equal(1 + 9 + 6, tables[0]!["columns"]!.GetValue<int>());         // the 9 U-Nets and the 6 CenterMasks' union masks
        Assert.Equal(1 + 6, tables[1]!["columns"]!.GetValue<int>());
        Assert.Equal(Sections, found["sections"]!.AsArray().Select(s => s!.GetValue<string>()));

        var figures = found["figures"]!.AsArray();
        var ids = figures.Select(f => f!["id"]!.GetValue<string>()).ToList();
        foreach (var expected in new[]
        {
            "pca-original-figure-1", "pca-original-and-extended-the-paper-s-uniform-cap-figure-2", "pca-original-and-extended-our-calibrated-cap",
            "synthetic-the-paper-s-uniform-cap", "synthetic-our-calibrated-cap", "bars-F1", "bars-AFNR", "training-loss", "training-validation", "training-lr",
        })
        {
            Assert.Contains(expected, ids);
        }

        foreach (var model in CenterMasks)
        {
            Assert.Contains($"pr50-{model}", ids);
            Assert.Contains($"pr75-{model}", ids);
            Assert.Contains($"apiou-{model}", ids);
        }

        // Figure 3: per cell type, the deep U-Net, the U-Net and CenterMask side by side.
        var overlays = ids.Where(i => i.StartsWith("overlay-", StringComparison.Ordinal)).ToList();
        Assert.Equal(8 * 3, overlays.Count);
        Assert.Equal(["overlay-Deep U-Net (L)-A172", "overlay-U-Net (L)-A172", "overlay-CenterMask (L)-A172"], overlays.Take(3));
        Assert.Equal(gantt, ids.Contains("gantt"));
        Assert.All(figures, f =>
        {
            Assert.True(f!["dataUri"]!.GetValue<bool>());
            Assert.True(f["width"]!.GetValue<int>() > 0 && f["height"]!.GetValue<int>() > 0, $"{f["id"]} did not decode");
            Assert.True(f["shown"]!.GetValue<double>() > 0, $"{f["id"]} is not shown");
        });
    }
}
