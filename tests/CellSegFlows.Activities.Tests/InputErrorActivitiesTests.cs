using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Activities.Tests;

/// <summary>A user's mistake fails a step once, in one line, whatever the node's retry policy; grids are the engine's.</summary>
public sealed class InputErrorActivitiesTests
{
    private static async Task<(RunRecord Run, RunDetail Detail)> RunAsync(string workflow)
    {
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = TestPaths.NewTempFolder() }, ActivityCatalog.Create());
        var runId = await engine.StartRunAsync(workflow, "input-errors", new Dictionary<string, string>());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        return (run, await engine.Runs.DetailAsync(runId));
    }

    [Fact]
    public async Task A_missing_pretrained_weights_file_fails_after_one_attempt_with_one_line_although_three_are_allowed()
    {
        var (run, detail) = await RunAsync("""
            { "id": "missing-weights", "nodes": [
                { "id": "sample", "activity": "MakeSampleDataset", "inputs": { "width": 64, "height": 64 } },
                { "id": "finetune", "activity": "FinetuneCenterMask", "retry": { "attempts": 3, "delay": "10ms" },
                  "inputs": { "annotations": "${nodes.sample.annotations}", "images": "${nodes.sample.images}",
                              "branch": { "name": "x", "pretrainedWeights": "/nonexistent/model.pth" } } } ] }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        var step = detail.Steps.Single(s => s.NodeId == "finetune");
        Assert.Equal(1, step.Attempt);
        Assert.Equal("attempt 1 failed: node 'finetune', branch 'x': pretrainedWeights file not found: /nonexistent/model.pth", step.Error);
        Assert.DoesNotContain(detail.Events, e => e.StepId == step.Id && e.Kind == "error" && e.Message!.Contains("retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_malformed_coco_file_is_the_users_to_fix_and_is_not_retried()
    {
        var folder = TestPaths.NewTempFolder();
        await File.WriteAllTextAsync(Path.Combine(folder, "bad.json"), """{ "images": [ { "id": 1, "file_name": 7 } ], "annotations": [] }""");
        var (run, detail) = await RunAsync($$"""
            { "id": "bad-coco", "nodes": [
                { "id": "import", "activity": "ImportDataset", "retry": { "attempts": 3, "delay": "10ms" },
                  "inputs": { "folder": "{{folder}}", "annotations": "bad.json", "imagesFolder": "." } } ] }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        var step = detail.Steps.Single(s => s.NodeId == "import");
        Assert.Equal(1, step.Attempt);
        Assert.StartsWith($"attempt 1 failed: node 'import', {Path.Combine(folder, "bad.json")}: ", step.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', step.Error!);
    }

    [Fact]
    public async Task Splitting_folds_refuses_the_real_val_split_once_in_one_line()
    {
        var sample = TestPaths.LivecellSample.Replace("\\", "/", StringComparison.Ordinal);
        var (run, detail) = await RunAsync($$"""
            { "id": "val-folds", "nodes": [
                { "id": "test", "activity": "ImportDataset",
                  "inputs": { "folder": "{{sample}}", "split": "test", "cellTypes": ["BT474", "MCF7"] } },
                { "id": "val", "activity": "ImportDataset",
                  "inputs": { "folder": "{{sample}}", "split": "val" } },
                { "id": "split", "activity": "SplitFolds", "retry": { "attempts": 3, "delay": "10ms" },
                  "inputs": { "annotations": "${nodes.val.annotations}", "images": "${nodes.val.images}", "valAnnotations": "${nodes.val.annotations}", "cellTypes": ["BT474", "MCF7"] } },
                { "id": "ok", "activity": "SplitFolds",
                  "inputs": { "annotations": "${nodes.test.annotations}", "images": "${nodes.test.images}", "valAnnotations": "${nodes.val.annotations}", "cellTypes": ["BT474", "MCF7"], "fold": 1 } } ] }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        var step = detail.Steps.Single(s => s.NodeId == "split");
        Assert.Equal(1, step.Attempt);
        Assert.StartsWith("attempt 1 failed: node 'split', ", step.Error, StringComparison.Ordinal);
        Assert.Contains("5 image(s) of LIVECell's val split", step.Error);
        Assert.DoesNotContain('\n', step.Error!);
        Assert.Equal(StepStatus.Succeeded, detail.Steps.Single(s => s.NodeId == "ok").Status); // the test split beside it is split
        Assert.Contains(detail.Metrics, m => m.Name == "heldOutImages" && m.Value == 2);
    }

    [Fact]
    public void The_training_grids_accept_every_field_they_accepted_before_and_describe_them_from_the_ports()
    {
        var catalog = ActivityCatalog.Create();
        string[] unet = ["name", "variant", "baseChannels", "depth", "bilinear", "synthetic", "cellTypes", "epochs", "stepsPerEpoch", "batchSize", "cropSize", "learningRate", "optimizer", "seed"];
        string[] centerMask = ["name", "architecture", "synthetic", "cellTypes", "schedule", "batchSize", "baseLearningRate", "maxIterations", "warmupIterations", "warmupFactor", "steps", "gamma", "pretrainedWeights", "gradientClipNorm", "seed"];
        foreach (var (type, before) in new[] { ("TrainUNet", unet), ("FinetuneCenterMask", centerMask) })
        {
            var descriptor = catalog.Find(type)!;
            var overrides = descriptor.Overrides!;
            Assert.Equal("branch", overrides.Input);
            // Accepted as it is, or as the former name of a renamed input (variant → architecture, steps → milestones, ...).
            Assert.All(before, field => Assert.True(
                overrides.Fields.Contains(field) || descriptor.Inputs.Any(p => p.FormerNames.Contains(field) && overrides.Fields.Contains(p.Name)),
                $"{type}: branch field '{field}' is no longer accepted"));
            var artifactsAndJson = descriptor.Inputs.Where(p => p.Type.Name is "artifact" or "list<artifact>" or "json").Select(p => p.Name).ToList();
            Assert.Contains("annotations", artifactsAndJson);
            Assert.Contains("syntheticImages", artifactsAndJson);
            Assert.Empty(overrides.Fields.Intersect(artifactsAndJson));
            Assert.Equal(descriptor.Inputs.Count - artifactsAndJson.Count, overrides.Fields.Count);
            var branch = descriptor.Inputs.Single(p => p.Name == "branch");
            Assert.EndsWith($": {string.Join(", ", overrides.Fields)}.", branch.Description, StringComparison.Ordinal);
        }

        // A grid entry written with a former name sets the renamed input.
        var unetDescriptor = catalog.Find("TrainUNet")!;
        var merged = Engine.Activities.InputOverrides.Apply(unetDescriptor, new System.Text.Json.Nodes.JsonObject { ["branch"] = new System.Text.Json.Nodes.JsonObject { ["variant"] = "deep-unet", ["stepsPerEpoch"] = 3 } });
        Assert.Equal("deep-unet", merged["architecture"]!.GetValue<string>());
        Assert.Equal(3, merged["iterationsPerEpoch"]!.GetValue<int>());
    }
}
