using System.Text.Json.Nodes;
using CellSegFlows.Activities.Experiments;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace CellSegFlows.Activities.Tests;

/// <summary>Budget presets: picked by name, overridden, checked, and merged into the training grid's branches.</summary>
public sealed class BudgetSettingsTests
{
    private static JsonObject Presets() => JsonNode.Parse("""
        {
          "tiny": {
            "description": "a tiny budget",
            "data": { "trainImagesPerCellType": 1, "testImagesPerCellType": 2, "sampleWidth": 96, "sampleHeight": 64 },
            "synthetic": { "densities": [10, 40], "imagesPerCellType": 3, "previewDensities": [20, 100] },
            "pca": { "maxImagesPerDataset": 7 },
            "unet": { "epochs": 2, "batchSize": 4, "learningRate": 0.002 },
            "unetArchitectures": { "deep-unet": { "learningRate": 1e-6, "batchSize": 2 } },
            "centerMask": { "maxIterations": 5, "testSize": 128 }
          },
          "other": { "data": {}, "synthetic": {}, "pca": {} }
        }
        """)!.AsObject();

    private static JsonObject Shipped() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "workflows", "livecell-paper.json")))!["parameters"]!["presets"]!["default"]!.AsObject();

    [Fact]
    public void A_preset_is_picked_by_name_with_overrides_merged_field_by_field()
    {
        var budget = ExperimentBudget.Select(Presets(), "tiny", JsonNode.Parse("""{ "data": { "testImagesPerCellType": 5 }, "unet": { "epochs": 9 } }""")!.AsObject());
        Assert.Equal("tiny", budget.Name);
        Assert.Equal("a tiny budget", budget.Description);
        Assert.Equal(1, budget.TrainImagesPerCellType);
        Assert.Equal(5, budget.TestImagesPerCellType);          // overridden
        Assert.Equal((96, 64), (budget.SampleWidth, budget.SampleHeight));
        Assert.Equal([10, 40], budget.Densities);
        Assert.Equal(3, budget.SyntheticImagesPerCellType);
        Assert.Equal([20, 100], budget.PreviewDensities);
        Assert.Equal(7, budget.PcaMaxImagesPerDataset);
        Assert.Equal(9, budget.UNet["epochs"]!.GetValue<int>());
        Assert.Equal(4, budget.UNet["batchSize"]!.GetValue<int>());  // kept beside the overridden field
        Assert.Equal(9, budget.Settings["unet"]!["epochs"]!.GetValue<int>());
    }

    [Fact]
    public void Branches_get_the_budget_then_their_architectures_fields_and_keep_their_own()
    {
        var budget = ExperimentBudget.Select(Presets(), "tiny");
        var branches = budget.UNetBranches(
        [
            JsonNode.Parse("""{ "name": "U-Net (L)" }""")!.AsObject(),
            JsonNode.Parse("""{ "name": "Deep U-Net (L)", "architecture": "deep-unet" }""")!.AsObject(),
            JsonNode.Parse("""{ "name": "Deep U-Net (EL)", "architecture": "deep-unet", "batchSize": 8, "synthetic": true }""")!.AsObject(),
        ]);
        Assert.Equal("""{"epochs":2,"batchSize":4,"learningRate":0.002,"name":"U-Net (L)"}""", branches[0].ToJsonString());
        Assert.Equal(1e-6, branches[1]["learningRate"]!.GetValue<double>());
        Assert.Equal(2, branches[1]["batchSize"]!.GetValue<int>());
        Assert.Equal(8, branches[2]["batchSize"]!.GetValue<int>());   // the branch's own value wins
        Assert.True(branches[2]["synthetic"]!.GetValue<bool>());
        var centerMask = budget.CenterMaskBranches([JsonNode.Parse("""{ "name": "CenterMask (L)", "maxIterations": 1 }""")!.AsObject()]);
        Assert.Equal("""{"maxIterations":1,"testSize":128,"name":"CenterMask (L)"}""", centerMask[0].ToJsonString());
    }

    [Theory]
    [InlineData("nope", null, "budget 'nope' is not a preset (the presets are: tiny, other)")]
    [InlineData("other", null, "budget 'other': 'data.trainImagesPerCellType' is missing")]
    [InlineData("tiny", """{ "data": { "trainImages": 3 } }""", "budget 'tiny': unknown field 'data.trainImages' (the fields are trainImagesPerCellType, testImagesPerCellType, sampleWidth, sampleHeight)")]
    [InlineData("tiny", """{ "synthetic": { "densities": [] } }""", "budget 'tiny': 'synthetic.densities' should be a non-empty list of whole numbers")]
    [InlineData("tiny", """{ "synthetic": { "densities": [10, -1] } }""", "budget 'tiny': 'synthetic.densities' holds -1; each must be a whole number of at least 1")]
    [InlineData("tiny", """{ "pca": { "maxImagesPerDataset": 1.5 } }""", "budget 'tiny': 'pca.maxImagesPerDataset' should be a whole number, not 1.5")]
    [InlineData("tiny", """{ "training": {} }""", "budget 'tiny': unknown section 'training'")]
    public void A_bad_budget_is_refused_naming_the_preset_and_the_field(string name, string? overrides, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => ExperimentBudget.Select(Presets(), name, overrides is null ? null : JsonNode.Parse(overrides)!.AsObject()));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_paper_workflows_presets_parse_and_name_only_inputs_the_training_nodes_have()
    {
        var presets = Shipped();
        Assert.Equal(["smoke", "cpu-day", "paper"], presets.Select(p => p.Key));
        var catalog = ActivityCatalog.Create();
        var train = catalog.Find("TrainUNet")!;
        var finetune = catalog.Find("FinetuneCenterMask")!;
        foreach (var (name, _) in presets)
        {
            var budget = ExperimentBudget.Select(presets, name);
            Assert.False(string.IsNullOrEmpty(budget.Description));
            var unetFields = budget.UNet.Select(f => f.Key).Concat(budget.UNetArchitectures.SelectMany(a => a.Value!.AsObject().Select(f => f.Key)));
            Assert.All(unetFields, f => Assert.True(InputOverrides.OverriddenPort(train, f) is not null, $"{name}: TrainUNet has no overridable input '{f}'"));
            Assert.All(budget.CenterMask.Select(f => f.Key), f => Assert.True(InputOverrides.OverriddenPort(finetune, f) is not null, $"{name}: FinetuneCenterMask has no overridable input '{f}'"));
        }

        // The paper's numbers (§4.1): batch 10 for the U-Nets; CenterMask batch 8, LR 0.005, 12,500 iterations, 1,000 warm-up, x0.1 at 10,500 and 11,500.
        var paper = ExperimentBudget.Select(presets, "paper");
        Assert.Equal(10, paper.UNet["batchSize"]!.GetValue<int>());
        Assert.Equal("""{"schedule":"paper","batchSize":8,"baseLearningRate":0.005,"maxIterations":12500,"warmupIterations":1000,"milestones":[10500,11500],"checkpointEvery":500}""", paper.CenterMask.ToJsonString());
        Assert.Equal(0, paper.TrainImagesPerCellType);
        Assert.Equal([20, 100, 500, 1000], paper.Densities);
    }

    [Fact]
    public async Task The_activity_adds_the_oracle_as_an_untrained_branch_only_when_its_checkpoint_is_given()
    {
        var home = TestPaths.NewTempFolder();
        var weights = Path.Combine(home, "v99.pth");
        await File.WriteAllTextAsync(weights, "not read here: FinetuneCenterMask loads it");
        ActivityContext Context() => new()
        {
            RunId = "run", StepId = "step", NodeId = "budget", Attempt = 1, WorkFolder = home, Artifacts = new LocalArtifactStore(Path.Combine(home, "artifacts")),
            Progress = new CellSeg.Data.SyncProgress<StepProgress>(_ => { }), Logger = NullLogger.Instance, CancellationToken = CancellationToken.None,
            Device = "cpu", ReportMetric = (_, _, _) => { },
        };
        IActivity activity = new BudgetSettings();
        JsonObject Inputs(string oracle) => new()
        {
            ["budget"] = "tiny", ["presets"] = Presets(), ["oracleWeights"] = oracle,
            ["centerMaskBranches"] = new JsonArray(new JsonObject { ["name"] = "CenterMask (L)" }),
            ["unetBranches"] = new JsonArray(new JsonObject { ["name"] = "Deep U-Net (L)", ["architecture"] = "deep-unet" }),
        };

        var without = await activity.ExecuteAsync(Inputs(""), Context());
        Assert.Equal(["CenterMask (L)"], without["centerMaskBranches"]!.AsArray().Select(b => b!["name"]!.GetValue<string>()));
        Assert.Equal(1e-6, without["unetBranches"]![0]!["learningRate"]!.GetValue<double>());
        Assert.Empty(without["unetCalibratedBranches"]!.AsArray());
        Assert.Equal([10, 40], without["densities"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal("tiny", without["settings"]!["name"]!.GetValue<string>());

        var with = await activity.ExecuteAsync(Inputs(weights), Context());
        var oracle = with["centerMaskBranches"]!.AsArray()[1]!;
        Assert.Equal("Oracle V-99", oracle["name"]!.GetValue<string>());
        Assert.Equal("livecell-v99", oracle["architecture"]!.GetValue<string>());
        Assert.Equal(weights, oracle["pretrainedWeights"]!.GetValue<string>());
        Assert.Equal(0, oracle["maxIterations"]!.GetValue<int>());     // not trained, whatever the budget says
        Assert.Equal(128, oracle["testSize"]!.GetValue<int>());        // but predicts at the budget's size
    }

    [Fact]
    public async Task An_unknown_budget_fails_the_paper_workflow_at_its_first_step_in_one_line()
    {
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = TestPaths.NewTempFolder() }, ActivityCatalog.Create());
        var file = Path.Combine(TestPaths.RepoRoot, "workflows", "livecell-paper.json");
        var runId = await engine.StartRunAsync(await File.ReadAllTextAsync(file), file, new Dictionary<string, string> { ["budget"] = "weekend" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        var detail = await engine.Runs.DetailAsync(runId);

        Assert.Equal(RunStatus.Failed, run.Status);
        var step = Assert.Single(detail.Steps);
        Assert.Equal("budget", step.NodeId);
        Assert.Equal("attempt 1 failed: node 'budget', budget 'weekend' is not a preset (the presets are: smoke, cpu-day, paper)", step.Error);
    }
}
