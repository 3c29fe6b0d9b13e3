using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Data.Coco;
using CellSeg.Models.CenterMask;
using CellSegFlows.Activities.Evaluation;
using CellSegFlows.Activities.Training;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace CellSegFlows.Activities.Tests;

public sealed class CenterMaskActivitiesTests
{
    // The livecell-centermask workflow's shape on two real images of two cell lines: a tiny budget
    // (2 iterations at LIVECell's native size, one image per batch), every node of the instance branch.
    private const string Workflow = """
        { "id": "centermask-test",
          "parameters": { "folder": { "type": "string" }, "branches": { "type": "list<json>" } },
          "nodes": [
            { "id": "data", "activity": "PrepareDataset", "inputs": { "source": "${params.folder}", "split": "test", "imagesPerCellType": 1, "cellTypes": ["SKOV3", "A172"] } },
            { "id": "finetune", "activity": "FinetuneCenterMask", "map": { "over": "${params.branches}", "as": "branch" },
              "inputs": { "annotations": "${nodes.data.annotations}", "images": "${nodes.data.images}", "branch": "${branch}",
                          "batchSize": 1, "baseLearningRate": 0.001, "maxIterations": 2, "warmupIterations": 1, "milestones": [1],
                          "trainSizes": [0], "testSize": 0, "postNmsTopKTest": 100, "checkpointEvery": 1, "threads": 2 } },
            { "id": "predict", "activity": "PredictInstances", "map": { "over": "${nodes.finetune.model}", "as": "model" },
              "inputs": { "model": "${model}", "annotations": "${nodes.data.annotations}", "images": "${nodes.data.images}", "threads": 2 } },
            { "id": "masks", "activity": "InstancesToSemantic", "map": { "over": "${nodes.predict.predictions}", "as": "predictions" },
              "inputs": { "annotations": "${nodes.data.annotations}", "predictions": "${predictions}", "scoreThreshold": 0 } },
            { "id": "instances", "activity": "EvaluateInstances",
              "inputs": { "annotations": "${nodes.data.annotations}", "predictions": "${nodes.predict.predictions}", "names": "${nodes.finetune.name}" } },
            { "id": "semantic", "activity": "EvaluateSemantic",
              "inputs": { "models": [], "masks": "${nodes.masks.masks}", "maskNames": "${nodes.finetune.name}", "annotations": "${nodes.data.annotations}", "images": "${nodes.data.images}" } } ],
          "outputs": { "table": "${nodes.instances.table}", "semanticTable": "${nodes.semantic.table}", "f1": "${nodes.semantic.f1}" } }
        """;

    private static async Task<(RunRecord Run, RunDetail Detail, WorkflowEngine Engine)> RunAsync(string branches)
    {
        var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = TestPaths.NewTempFolder() }, ActivityCatalog.Create());
        var runId = await engine.StartRunAsync(Workflow, "centermask-test", new Dictionary<string, string> { ["folder"] = TestPaths.LivecellSample, ["branches"] = branches });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        return (run, await engine.Runs.DetailAsync(runId), engine);
    }

    private static ArtifactRef Artifact(JsonNode? node) => node.Deserialize<ArtifactRef>(ActivityJson.Options)!;

    [Fact]
    public async Task Each_branch_is_finetuned_predicts_the_split_and_is_scored_in_one_instance_and_one_semantic_table()
    {
        var (run, detail, engine) = await RunAsync("""
            [ { "name": "wide" },
              { "name": "skov3", "cellTypes": ["SKOV3"], "seed": 2 } ]
            """);
        await using (engine)
        {
            Assert.True(run.Status == RunStatus.Succeeded, run.Error);
            var wide = JsonNode.Parse(detail.Steps.Single(s => s.Id.EndsWith("finetune[0]", StringComparison.Ordinal)).OutputsJson!)!;
            Assert.Equal("wide", wide["name"]!.GetValue<string>());
            Assert.Equal(2, wide["iterations"]!.GetValue<long>());
            Assert.True(double.IsFinite(wide["finalLoss"]!.GetValue<double>()));
            var header = CenterMaskModelFile.ReadHeader(engine.Artifacts.GetPath(Artifact(wide["model"])));
            Assert.Equal(100, header.Config.PostNmsTopK);
            Assert.Equal(0, header.Config.Input.MinSizeTest);
            var history = await File.ReadAllLinesAsync(engine.Artifacts.GetPath(Artifact(wide["history"])));
            Assert.Equal(3, history.Length);
            Assert.StartsWith("iteration,learning_rate,total_loss,loss_fcos_cls,loss_fcos_loc,loss_fcos_ctr,loss_mask,loss_maskiou", history[0], StringComparison.Ordinal);

            // Loss components and the LR are step metrics of both branches, one per iteration; the LR follows the warm-up and the step.
            Assert.Equal(4, detail.Metrics.Count(m => m.Name == "loss_fcos_cls"));
            Assert.Equal(4, detail.Metrics.Count(m => m.Name == "loss_maskiou"));
            var rates = detail.Metrics.Where(m => m.Name == "learningRate").Select(m => m.Value).Distinct().Order().ToList();
            Assert.Contains(0.001 * 1e-3, rates, new Tolerance(1e-12));
            Assert.Contains(0.001 * 0.1, rates, new Tolerance(1e-12));

            var predictions = detail.Steps.Where(s => s.Id.Contains("predict[", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, predictions.Count);
            foreach (var step in predictions)
            {
                var output = JsonNode.Parse(step.OutputsJson!)!;
                Assert.Equal(2, output["images"]!.GetValue<int>());
                var results = await CocoReader.LoadDetectionsAsync(engine.Artifacts.GetPath(Artifact(output["predictions"])));
                Assert.Equal(output["detections"]!.GetValue<int>(), results.Detections.Count);
                Assert.All(results.Detections, d => Assert.IsType<RleSegmentation>(d.Segmentation));
            }

            var outputs = JsonNode.Parse(run.OutputsJson!)!;
            var table = await File.ReadAllTextAsync(engine.Artifacts.GetPath(Artifact(outputs["table"])));
            Assert.Contains("| wide | all |", table, StringComparison.Ordinal);
            Assert.Contains("| skov3 | all |", table, StringComparison.Ordinal);
            Assert.Contains("| skov3 | SKOV3 |", table, StringComparison.Ordinal);
            Assert.Equal(2, outputs["f1"]!.AsArray().Count);
            var semantic = await File.ReadAllTextAsync(engine.Artifacts.GetPath(Artifact(outputs["semanticTable"])));
            Assert.Contains("wide", semantic, StringComparison.Ordinal);
            Assert.Contains("skov3", semantic, StringComparison.Ordinal);
            Assert.Contains(detail.Metrics, m => m.Name == "wide/AP");
        }
    }

    [Fact]
    public async Task The_shipped_centermask_workflow_runs_on_the_offline_sample_with_a_tiny_budget()
    {
        var home = TestPaths.NewTempFolder();
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home }, ActivityCatalog.Create());
        var file = Path.Combine(TestPaths.RepoRoot, "workflows", "livecell-centermask.json");
        var runId = await engine.StartRunAsync(await File.ReadAllTextAsync(file), file, new Dictionary<string, string>
        {
            ["source"] = "sample", ["imagesPerCellType"] = "1", ["densities"] = "[20]", ["syntheticPerType"] = "1",
            ["branches"] = """[ { "name": "wide (L)" }, { "name": "SkBr3 (EL)", "cellTypes": ["SkBr3"], "synthetic": true } ]""",
            ["batchSize"] = "1", ["maxIterations"] = "2", ["warmupIterations"] = "1", ["steps"] = "[1]",
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        Assert.True(run.Status == RunStatus.Succeeded, run.Error);

        var detail = await engine.Runs.DetailAsync(runId);
        Assert.Equal(2, detail.Steps.Count(s => s.NodeId == "finetune"));
        Assert.Equal(2, detail.Steps.Count(s => s.NodeId == "predict"));
        Assert.Equal(2, detail.Steps.Count(s => s.NodeId == "masks"));
        var outputs = JsonNode.Parse(run.OutputsJson!)!;
        var table = await File.ReadAllTextAsync(engine.Artifacts.GetPath(Artifact(outputs["table"])));
        Assert.Contains("| wide (L) | all |", table, StringComparison.Ordinal);
        Assert.Contains("| SkBr3 (EL) | SkBr3 |", table, StringComparison.Ordinal);
        Assert.Equal(2, outputs["f1"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("""[ { "name": "x", "iterations": 8 } ]""", "branch field 'iterations'")]
    [InlineData("""[ { "name": "x", "architecture": "v-57" } ]""", "architecture 'v-57' is not one of")]
    [InlineData("""[ { "name": "x", "pretrainedWeights": "/nonexistent/model.pth" } ]""", "pretrainedWeights file not found: /nonexistent/model.pth")]
    [InlineData("""[ { "name": "x", "steps": [5, 3] } ]""", "milestones must be strictly ascending: 5, 3")]   // the former name still sets it
    public async Task A_bad_branch_fails_the_step_with_a_message_naming_what_is_wrong(string branches, string expected)
    {
        var (run, _, engine) = await RunAsync(branches);
        await using (engine)
        {
            Assert.Equal(RunStatus.Failed, run.Status);
            Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EvaluateInstances_with_names_scores_each_models_file_and_puts_them_in_one_table()
    {
        var home = TestPaths.NewTempFolder();
        var truth = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var perfect = Path.Combine(home, "perfect.json");
        var half = Path.Combine(home, "half.json");
        var detections = truth.Annotations.Select(a =>
        {
            var image = truth.FindImage(a.ImageId)!;
            return new CocoDetection(a.ImageId, a.CategoryId, 1.0, new RleSegmentation(a.Segmentation.ToRle(image.Height, image.Width)), null);
        }).ToList();
        await CocoWriter.WriteDetectionsAsync(detections, perfect);
        await CocoWriter.WriteDetectionsAsync(detections.Where((_, i) => i % 2 == 0), half);
        var store = new LocalArtifactStore(Path.Combine(home, "artifacts"));
        var metrics = new Dictionary<string, double>();
        ActivityContext Context(string work) => new()
        {
            RunId = "run", StepId = "step", NodeId = "instances", Attempt = 1, WorkFolder = Path.Combine(home, work), Artifacts = store,
            Progress = new CellSeg.Data.SyncProgress<StepProgress>(_ => { }), Logger = NullLogger.Instance, CancellationToken = CancellationToken.None,
            Device = "cpu", ReportMetric = (name, value, _) => metrics[name] = value,
        };
        JsonNode? Node(ArtifactRef artifact) => JsonNode.Parse(JsonSerializer.Serialize(artifact, ActivityJson.Options));

        IActivity activity = new EvaluateInstances();
        var output = await activity.ExecuteAsync(new JsonObject
        {
            ["annotations"] = Node(await store.PutFileAsync(TestPaths.ValAnnotations, "val.json")),
            ["predictions"] = new JsonArray(Node(await store.PutFileAsync(half, "half.json")), Node(await store.PutFileAsync(perfect, "perfect.json"))),
            ["names"] = new JsonArray("half", "perfect"),
        }, Context("work"));

        Assert.Equal("perfect", output["best"]!.GetValue<string>());
        Assert.Equal(1.0, output["ap"]!.GetValue<double>(), 12);
        Assert.Equal(1.0, metrics["perfect/AP"], 12);
        Assert.True(metrics["half/AP"] < 0.6, $"half of the cells found: AP {metrics["half/AP"]}");
        Assert.True(metrics["half/AFNR"] > 0.4, $"half of the cells missed: AFNR {metrics["half/AFNR"]}");
        var table = await File.ReadAllTextAsync(store.GetPath(Artifact(output["table"])));
        Assert.Contains("| half | all |", table, StringComparison.Ordinal);
        Assert.Contains("| perfect | all |", table, StringComparison.Ordinal);
        var report = JsonNode.Parse(await File.ReadAllTextAsync(store.GetPath(Artifact(output["report"]))))!;
        Assert.Equal(["half", "perfect"], report["models"]!.AsArray().Select(m => m!["name"]!.GetValue<string>()));
        Assert.Equal(1.0, report["models"]![1]!["report"]!["AP"]!.GetValue<double>(), 12);

        var mismatched = new JsonObject
        {
            ["annotations"] = Node(await store.PutFileAsync(TestPaths.ValAnnotations, "val.json")),
            ["predictions"] = new JsonArray(Node(await store.PutFileAsync(half, "half.json"))),
            ["names"] = new JsonArray("a", "b"),
        };
        var mismatch = await Assert.ThrowsAsync<ActivityInputException>(() => activity.ExecuteAsync(mismatched, Context("work2")));
        Assert.Contains("2 names but 1 prediction files", mismatch.Message, StringComparison.Ordinal);
        Assert.Equal("names", mismatch.Input);
    }

    [Fact]
    public async Task A_branch_with_zero_iterations_turns_a_centermask2_checkpoint_into_the_model_and_refuses_an_incomplete_one()
    {
        var home = TestPaths.NewTempFolder();
        var store = new LocalArtifactStore(Path.Combine(home, "artifacts"));
        var metrics = new Dictionary<string, double>();
        ActivityContext Context(string work) => new()
        {
            RunId = "run", StepId = "step", NodeId = "finetune", Attempt = 1, WorkFolder = Path.Combine(home, work), Artifacts = store,
            Progress = new CellSeg.Data.SyncProgress<StepProgress>(_ => { }), Logger = NullLogger.Instance, CancellationToken = CancellationToken.None,
            Device = "cpu", ReportMetric = (name, value, _) => metrics[name] = value,
        };
        JsonNode? Node(ArtifactRef artifact) => JsonNode.Parse(JsonSerializer.Serialize(artifact, ActivityJson.Options));

        // A "published" checkpoint: a Lite model's tensors under centermask2's names, in PyTorch's file format.
        using var source = new CenterMaskModel(new CenterMaskConfig());
        var names = source.Centermask2Names();
        var state = source.state_dict().ToDictionary(p => names[p.Key], p => p.Value);
        var checkpoint = Path.Combine(home, "published.pth");
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(checkpoint, state);
        var incomplete = Path.Combine(home, "incomplete.pth");
        TorchSharp.PyBridge.PyTorchPickler.PickleStateDict(incomplete, state.Where(p => !p.Key.StartsWith("roi_heads.maskiou_head.", StringComparison.Ordinal)).ToDictionary());

        IActivity activity = new FinetuneCenterMask();
        JsonObject Inputs(string weights) => new()
        {
            ["annotations"] = Node(store.PutFileAsync(TestPaths.ValAnnotations, "val.json").GetAwaiter().GetResult()),
            ["images"] = new JsonArray(),
            ["branch"] = new JsonObject { ["name"] = "oracle", ["maxIterations"] = 0, ["pretrainedWeights"] = weights },
        };
        var output = await activity.ExecuteAsync(Inputs(checkpoint), Context("work"));

        Assert.Equal(0, output["iterations"]!.GetValue<long>());
        Assert.Null(output["finalLoss"]);
        Assert.Equal(state.Count - 0, (int)metrics["pretrained/loaded"]);
        Assert.Equal(0, metrics["pretrained/missing"]);
        using var exported = CenterMaskModelFile.Load(store.GetPath(Artifact(output["model"])));
        var ours = source.state_dict();
        foreach (var (key, tensor) in exported.state_dict())
        {
            Assert.True(tensor.equal(ours[key]).all().item<bool>(), $"{key} differs from the checkpoint's");
        }

        var error = await Assert.ThrowsAsync<CellSeg.Models.Weights.WeightLoadException>(() => activity.ExecuteAsync(Inputs(incomplete), Context("work-incomplete")));
        Assert.Contains(incomplete, error.Message, StringComparison.Ordinal);
        Assert.Contains("missing: roi_heads.maskiou_head", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(home, "work-incomplete", "model.centermask")));
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }
}
