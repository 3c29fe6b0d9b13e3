using System.Text.Json.Nodes;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Activities.Tests;

public sealed class WorkflowsTests
{
    private static IEnumerable<string> WorkflowFiles() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "workflows"), "*.json", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal);

    [Fact]
    public async Task Every_shipped_workflow_validates_against_the_real_activities()
    {
        var catalog = ActivityCatalog.Create();
        var files = WorkflowFiles().ToList();
        Assert.Contains(files, f => f.EndsWith("quickstart.json", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var definition = await WorkflowDefinitionReader.LoadAsync(file);
            var problems = WorkflowValidator.Validate(definition, catalog);
            Assert.True(problems.Count == 0, $"{file}:\n{string.Join('\n', problems)}");
        }
    }

    [Fact]
    public void The_catalog_describes_every_activity_with_typed_documented_ports()
    {
        var json = ActivityCatalog.Create().ToJson();
        var types = json.Select(a => a!["activity"]!.GetValue<string>()).ToList();
        Assert.Contains("MakeSampleDataset", types);
        Assert.Contains("SegmentImageClassical", types);
        Assert.Contains("EvaluateInstances", types);
        foreach (var activity in json)
        {
            Assert.False(string.IsNullOrWhiteSpace(activity!["description"]!.GetValue<string>()));
            foreach (var port in activity["inputs"]!.AsArray().Concat(activity["outputs"]!.AsArray()))
            {
                Assert.False(string.IsNullOrWhiteSpace(port!["description"]!.GetValue<string>()), $"{activity["type"]}.{port["name"]} has no description");
            }
        }

        var evaluate = json.Single(a => a!["activity"]!.GetValue<string>() == "EvaluateInstances")!;
        var preset = evaluate["inputs"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "preset")!;
        Assert.Equal("string", preset["type"]!.GetValue<string>());
        Assert.Equal("livecell", preset["default"]!.GetValue<string>());
        Assert.False(preset["required"]!.GetValue<bool>());
        var predictions = evaluate["inputs"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "predictions")!;
        Assert.Equal("list<artifact>", predictions["type"]!.GetValue<string>());
        Assert.True(predictions["required"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_quickstart_workflow_runs_end_to_end_on_the_embedded_engine()
    {
        var home = TestPaths.NewTempFolder();
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home }, ActivityCatalog.Create());
        var file = Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json");
        var runId = await engine.StartRunAsync(await File.ReadAllTextAsync(file), file, new Dictionary<string, string> { ["epochs"] = "3", ["stepsPerEpoch"] = "6" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        var detail = await engine.Runs.DetailAsync(runId);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(8, detail.Steps.Count(s => s.NodeId == "segment"));
        Assert.Equal(2, detail.Steps.Count(s => s.NodeId == "synthetic"));
        Assert.Equal(2, detail.Steps.Count(s => s.NodeId == "unet"));
        var outputs = JsonNode.Parse(run.OutputsJson!)!;
        Assert.InRange(outputs["ap"]!.GetValue<double>(), 0.1, 0.99);
        Assert.InRange(outputs["baselineF1"]!.GetValue<double>(), 0.5, 0.999);
        var f1 = outputs["f1"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        Assert.Equal(2, f1.Count);
        Assert.All(f1, v => Assert.InRange(v, 0.0, 1.0)); // 18 steps prove the plumbing; learning itself is CellSeg.Models.Tests' overfitting test
        Assert.Contains(detail.Metrics, m => m.Name == "AP/SHSY5Y");
        Assert.Equal(2 * 18, detail.Metrics.Count(m => m.Name == "loss"));          // every step of both branches
        Assert.Contains(detail.Metrics, m => m.Name == "validationF1" && m.Iteration == 18);
        Assert.Contains(detail.Metrics, m => m.Name == "F1/unet+synthetic/SKOV3");
        var table = await File.ReadAllTextAsync(ArtifactPath(engine, outputs["semanticTable"]!));
        Assert.Contains("| cell type | unet | unet+synthetic |", table);
        Assert.Contains("| **all** |", table);
        Assert.Contains("| all |", await File.ReadAllTextAsync(ArtifactPath(engine, outputs["table"]!)));
    }

    [Fact]
    public async Task The_extension_study_runs_two_folds_end_to_end_and_tables_every_setting_per_cell_type()
    {
        var home = TestPaths.NewTempFolder();
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home }, ActivityCatalog.Create());
        var file = Path.Combine(TestPaths.RepoRoot, "workflows", "extension-study.json");
        var runId = await engine.StartRunAsync(await File.ReadAllTextAsync(file), file, new Dictionary<string, string>
        {
            ["cellTypes"] = "[\"A172\", \"MCF7\"]", ["iterationsPerEpoch"] = "2", ["cropSize"] = "32", ["syntheticImagesPerCellType"] = "1", ["densities"] = "[20]",
            ["settings"] = "[{\"name\": \"L\", \"seed\": 1}, {\"name\": \"EL f0.5\", \"synthetic\": true, \"syntheticFraction\": 0.5, \"seed\": 1}]",
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        var detail = await engine.Runs.DetailAsync(runId);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        Assert.Equal(2, detail.Steps.Count(s => s.NodeId == "unet0"));
        Assert.Equal(2, detail.Steps.Count(s => s.NodeId == "unet1"));
        var outputs = JsonNode.Parse(run.OutputsJson!)!;
        Assert.Equal(["L", "EL f0.5"], outputs["settings"]!.AsArray().Select(v => v!.GetValue<string>()));
        var table = (await File.ReadAllTextAsync(ArtifactPath(engine, outputs["table"]!))).Split('\n');
        Assert.Contains("| cell type | L | EL f0.5 | Δ |", table);
        Assert.Equal(3, table.Count(l => l.StartsWith("| A172 |", StringComparison.Ordinal) || l.StartsWith("| MCF7 |", StringComparison.Ordinal) || l.StartsWith("| **all** |", StringComparison.Ordinal)));
        var summary = JsonNode.Parse(await File.ReadAllTextAsync(ArtifactPath(engine, outputs["summary"]!)))!;
        foreach (var setting in summary["settings"]!.AsArray())
        {
            Assert.Equal(["A172", "MCF7"], setting!["perCellType"]!.AsObject().Select(p => p.Key));
            var values = setting["overall"]!["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
            Assert.Equal(2, values.Count);                                  // one per fold (one seed)
            Assert.All(values, v => Assert.InRange(v, 0.0, 1.0));
        }
    }

    private static string ArtifactPath(WorkflowEngine engine, JsonNode artifact) =>
        engine.Artifacts.GetPath(new Engine.Activities.ArtifactRef(artifact["hash"]!.GetValue<string>(), artifact["name"]!.GetValue<string>(), artifact["size"]!.GetValue<long>()));
}
