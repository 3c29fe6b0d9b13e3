using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Models;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Activities.Tests;

public sealed class TrainingActivitiesTests
{
    private const string Workflow = """
        { "id": "train-test",
          "parameters": { "folder": { "type": "string" }, "branches": { "type": "list<json>" } },
          "nodes": [
            { "id": "train", "activity": "PrepareDataset", "inputs": { "source": "${params.folder}", "split": "test", "imagesPerCellType": 1, "cellTypes": ["SKOV3", "A172"] } },
            { "id": "val", "activity": "PrepareDataset", "inputs": { "source": "${params.folder}", "split": "val", "imagesPerCellType": 1 } },
            { "id": "unet", "activity": "TrainUNet", "map": { "over": "${params.branches}", "as": "branch" },
              "inputs": { "annotations": "${nodes.train.annotations}", "images": "${nodes.train.images}",
                          "validationAnnotations": "${nodes.val.annotations}", "validationImages": "${nodes.val.images}",
                          "branch": "${branch}", "batchSize": 2, "cropSize": 64, "learningRate": 0.001, "optimizer": "adam", "threads": 1 } },
            { "id": "semantic", "activity": "EvaluateSemantic",
              "inputs": { "models": "${nodes.unet.model}", "names": "${nodes.unet.name}", "annotations": "${nodes.val.annotations}", "images": "${nodes.val.images}", "split": "val" } } ],
          "outputs": { "table": "${nodes.semantic.table}", "f1": "${nodes.semantic.f1}" } }
        """;

    private static async Task<(RunRecord Run, RunDetail Detail, WorkflowEngine Engine)> RunAsync(string branches)
    {
        var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = TestPaths.NewTempFolder() }, ActivityCatalog.Create());
        var runId = await engine.StartRunAsync(Workflow, "train-test", new Dictionary<string, string> { ["folder"] = TestPaths.LivecellSample, ["branches"] = branches });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        return (run, await engine.Runs.DetailAsync(runId), engine);
    }

    private static ArtifactRef Artifact(JsonNode? node) => node.Deserialize<ArtifactRef>(ActivityJson.Options)!;

    [Fact]
    public async Task A_grid_of_branches_trains_each_variant_and_the_evaluation_has_a_column_per_model()
    {
        var (run, detail, engine) = await RunAsync("""
            [ { "name": "deep", "variant": "deep-unet", "baseChannels": 4, "depth": 2, "epochs": 2, "stepsPerEpoch": 3 },
              { "name": "plain", "variant": "unet", "baseChannels": 4, "depth": 2, "epochs": 1, "stepsPerEpoch": 2 } ]
            """);
        await using (engine)
        {
            Assert.True(run.Status == RunStatus.Succeeded, run.Error);
            var deep = JsonNode.Parse(detail.Steps.Single(s => s.Id.EndsWith("unet[0]", StringComparison.Ordinal)).OutputsJson!)!;
            Assert.Equal("deep", deep["name"]!.GetValue<string>());
            Assert.Equal(6, deep["iterations"]!.GetValue<long>());
            Assert.Equal("deep-unet", SegmentationModel.ReadHeader(engine.Artifacts.GetPath(Artifact(deep["model"]))).Architecture);
            var history = await File.ReadAllLinesAsync(engine.Artifacts.GetPath(Artifact(deep["history"])));
            Assert.Equal(3, history.Length);
            Assert.StartsWith("epoch,iteration,mean_loss,validation_f1", history[0], StringComparison.Ordinal);
            Assert.Equal(6 + 2, detail.Metrics.Count(m => m.Name == "loss"));
            Assert.Equal(2 + 1, detail.Metrics.Count(m => m.Name == "validationF1"));

            var outputs = JsonNode.Parse(run.OutputsJson!)!;
            Assert.Equal(2, outputs["f1"]!.AsArray().Count);
            var table = await File.ReadAllTextAsync(engine.Artifacts.GetPath(Artifact(outputs["table"])));
            Assert.Contains("| cell type | deep | plain |", table, StringComparison.Ordinal);
            Assert.Contains(detail.Metrics, m => m.Name.StartsWith("F1/plain/", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_unknown_branch_field_fails_the_step_naming_it()
    {
        var (run, _, engine) = await RunAsync("""[ { "name": "x", "widht": 8 } ]""");
        await using (engine)
        {
            Assert.Equal(RunStatus.Failed, run.Status);
            Assert.Contains("branch field 'widht'", run.Error, StringComparison.Ordinal);
        }
    }
}
