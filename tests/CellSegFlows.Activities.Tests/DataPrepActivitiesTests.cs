using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Data.Datasets;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Activities.Tests;

public sealed class DataPrepActivitiesTests
{
    private const string Workflow = """
        { "id": "dataprep-test",
          "parameters": { "folder": { "type": "string" }, "lenient": { "type": "bool", "default": false } },
          "nodes": [
            { "id": "import", "activity": "ImportDataset",
              "inputs": { "folder": "${params.folder}", "split": "test", "cellTypes": ["A172", "SKOV3", "SHSY5Y"], "maxImagesPerCellType": 2, "lenient": "${params.lenient}" } },
            { "id": "parse", "activity": "ParseCoco",
              "inputs": { "annotations": "${nodes.import.annotations}", "images": "${nodes.import.images}", "split": "test", "lenient": "${params.lenient}" } },
            { "id": "pca", "activity": "DatasetPca",
              "inputs": { "annotations": "${nodes.import.annotations}", "images": "${nodes.import.images}", "features": "masks" } } ],
          "outputs": { "manifest": "${nodes.parse.manifest}", "report": "${nodes.parse.report}", "plot": "${nodes.pca.plot}", "cells": "${nodes.parse.cellCount}" } }
        """;

    private static ArtifactRef Artifact(JsonNode node) => node.Deserialize<ArtifactRef>(ActivityJson.Options)!;

    [Fact]
    public async Task Import_parse_and_pca_of_real_livecell_images_run_on_the_engine()
    {
        var home = TestPaths.NewTempFolder();
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home }, ActivityCatalog.Create());
        var runId = await engine.StartRunAsync(Workflow, "dataprep-test", new Dictionary<string, string> { ["folder"] = TestPaths.LivecellSample });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        Assert.True(run.Status == RunStatus.Succeeded, run.Error);

        var outputs = JsonNode.Parse(run.OutputsJson!)!;
        var manifest = await DatasetManifest.ReadAsync(engine.Artifacts.GetPath(Artifact(outputs["manifest"]!)));
        Assert.Equal(5, manifest.Images.Count); // 3 A172, 1 SHSY5Y and 4 SKOV3 in the sample, at most 2 each
        Assert.Equal(["A172", "SHSY5Y", "SKOV3", "all"], manifest.Statistics.Select(s => s.Group));
        Assert.All(manifest.Images, i => Assert.True(File.Exists(i.Path), i.Path));
        Assert.Equal(manifest.Images.Sum(i => i.Cells), outputs["cells"]!.GetValue<int>());
        Assert.Contains("| SKOV3 | 2 |", await File.ReadAllTextAsync(engine.Artifacts.GetPath(Artifact(outputs["report"]!))));
        var png = await File.ReadAllBytesAsync(engine.Artifacts.GetPath(Artifact(outputs["plot"]!)));
        Assert.Equal((byte)'P', png[1]);

        var detail = await engine.Runs.DetailAsync(runId);
        Assert.Contains(detail.Metrics, m => m.Name == "cellsPerImage.median/SKOV3");
        Assert.Contains(detail.Metrics, m => m.Name == "pc1.varianceRatio" && m.Value is > 0 and <= 1);
        Assert.Equal(5 + 1, detail.Artifacts.Count(a => a.StepId.EndsWith("/import", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_annotation_file_rewritten_at_the_same_path_is_imported_again_not_taken_from_the_cache()
    {
        // Issue 13's report: the same ImportDataset inputs, the file at the same path rewritten with half the cells.
        var folder = TestPaths.NewTempFolder();
        var annotations = Path.Combine(folder, "x.json");
        File.Copy(TestPaths.TestAnnotations, annotations);
        var workflow = $$"""
            { "id": "reimport",
              "nodes": [ { "id": "import", "activity": "ImportDataset",
                "inputs": { "folder": "{{folder}}", "annotations": "x.json", "imagesFolder": "{{Path.Combine(TestPaths.LivecellSample, "images", "livecell_test_images")}}", "lenient": true } } ],
              "outputs": { "cells": "${nodes.import.cellCount}" } }
            """;
        var home = TestPaths.NewTempFolder();
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home }, ActivityCatalog.Create());
        async Task<(int Cells, StepStatus Status)> RunAsync()
        {
            var runId = await engine.StartRunAsync(workflow, "reimport.json", new Dictionary<string, string>());
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
            Assert.True(run.Status == RunStatus.Succeeded, run.Error);
            var detail = await engine.Runs.DetailAsync(runId);
            return (JsonNode.Parse(run.OutputsJson!)!["cells"]!.GetValue<int>(), detail.Steps.Single().Status);
        }

        var (all, _) = await RunAsync();
        var json = JsonNode.Parse(await File.ReadAllTextAsync(annotations))!;
        var kept = json["annotations"]!.AsArray().Where((_, i) => i % 2 == 0).Select(a => a!.DeepClone()).ToArray();
        json["annotations"] = new JsonArray(kept);
        await File.WriteAllTextAsync(annotations, json.ToJsonString());
        var (half, status) = await RunAsync();
        Assert.Equal(StepStatus.Succeeded, status);   // not Cached
        Assert.Equal(kept.Length, half);
        Assert.True(half < all, $"{half} < {all}");
        var (again, cached) = await RunAsync();
        Assert.Equal((half, StepStatus.Cached), (again, cached));
    }

    [Fact]
    public async Task The_shipped_evaluate_workflow_scores_a_landed_annotation_file_with_the_baseline()
    {
        var home = TestPaths.NewTempFolder();
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home }, ActivityCatalog.Create());
        var definition = await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "workflows", "evaluate.json"));
        var runId = await engine.StartRunAsync(definition, "evaluate.json", new Dictionary<string, string> { ["annotations"] = TestPaths.TestAnnotations, ["folder"] = TestPaths.LivecellSample });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var outputs = JsonNode.Parse(run.OutputsJson!)!;
        Assert.True(outputs["cells"]!.GetValue<int>() > 1000);
        Assert.InRange(outputs["f1"]!.GetValue<double>(), 0.3, 0.9);    // the classical baseline: a floor, not a model
        Assert.InRange(outputs["afnr"]!.GetValue<double>(), 0.5, 1.0);
    }

    [Fact]
    public async Task A_missing_folder_fails_the_import_step_with_the_path_and_skips_the_rest()
    {
        var home = TestPaths.NewTempFolder();
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home }, ActivityCatalog.Create());
        var missing = Path.Combine(home, "no-such-dataset");
        var runId = await engine.StartRunAsync(Workflow, "dataprep-test", new Dictionary<string, string> { ["folder"] = missing });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("import", run.Error, StringComparison.Ordinal);
        Assert.Contains(missing, run.Error, StringComparison.Ordinal);
        var detail = await engine.Runs.DetailAsync(runId);
        Assert.DoesNotContain(detail.Steps, s => s.NodeId == "parse");
    }

    [Fact]
    public async Task The_dataprep_workflow_runs_on_the_real_sample_folder_with_small_settings()
    {
        var home = TestPaths.NewTempFolder();
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home }, ActivityCatalog.Create());
        var file = Path.Combine(TestPaths.RepoRoot, "workflows", "livecell-dataprep.json");
        var runId = await engine.StartRunAsync(await File.ReadAllTextAsync(file), file, new Dictionary<string, string>
        {
            ["source"] = TestPaths.LivecellSample, ["split"] = "test", ["imagesPerCellType"] = "1", ["densities"] = "[20,60]", ["imagesPerType"] = "1",
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        Assert.True(run.Status == RunStatus.Succeeded, run.Error);

        var detail = await engine.Runs.DetailAsync(runId);
        Assert.Equal(2, detail.Steps.Count(s => s.NodeId == "synthetic"));
        var outputs = JsonNode.Parse(run.OutputsJson!)!;
        var manifest = await DatasetManifest.ReadAsync(engine.Artifacts.GetPath(Artifact(outputs["manifest"]!)));
        Assert.Equal(7, manifest.Images.Count);
        Assert.Equal(2, outputs["previews"]!.AsArray().Count);
        var points = await File.ReadAllLinesAsync(engine.Artifacts.GetPath(Artifact(detail.Steps.Single(s => s.NodeId == "pca").OutputsJson is { } o ? JsonNode.Parse(o)!["points"]! : throw new InvalidOperationException())));
        Assert.Contains(points, l => l.StartsWith("original,", StringComparison.Ordinal));
        Assert.Contains(points, l => l.StartsWith("synthetic_d60,", StringComparison.Ordinal));
    }
}
