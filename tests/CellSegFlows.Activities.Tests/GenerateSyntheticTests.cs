using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Data.Coco;
using CellSegFlows.Activities.Data;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using Microsoft.Extensions.Logging.Abstractions;

namespace CellSegFlows.Activities.Tests;

public sealed class GenerateSyntheticTests
{
    [Fact]
    public async Task One_density_branch_writes_images_annotations_preview_and_metrics_from_the_real_sample()
    {
        var home = TestPaths.NewTempFolder();
        var store = new LocalArtifactStore(Path.Combine(home, "artifacts"));
        var annotations = await store.PutFileAsync(TestPaths.ValAnnotations, "val.json");
        var metrics = new Dictionary<string, double>();
        var context = new ActivityContext
        {
            RunId = "run",
            StepId = "step",
            NodeId = "synthetic",
            Attempt = 1,
            WorkFolder = Path.Combine(home, "work"),
            Artifacts = store,
            Progress = new CellSeg.Data.SyncProgress<StepProgress>(_ => { }),
            Logger = NullLogger.Instance,
            CancellationToken = CancellationToken.None,
            Device = "cpu",
            ReportMetric = (name, value, _) => metrics[name] = value,
        };
        var inputs = new JsonObject
        {
            ["annotations"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(annotations, ActivityJson.Options)),
            ["imagesFolder"] = Path.Combine(TestPaths.LivecellSample, "images", "livecell_train_val_images"),
            ["density"] = 50,
            ["imagesPerType"] = 1,
            ["overlap"] = "clustered",
            ["calibrated"] = true,
            ["previewDensities"] = new JsonArray(20, 50),
            ["seed"] = 3,
        };

        IActivity activity = new GenerateSynthetic();
        var output = await activity.ExecuteAsync(inputs, context);

        var images = output["images"]!.AsArray();
        Assert.NotEmpty(images);
        Assert.All(images, i => Assert.Contains("_Synthetic_d50_", i!["name"]!.GetValue<string>()));
        var coco = await CocoReader.LoadAsync(store.GetPath(Ref(output["annotations"]!)));
        Assert.Equal(images.Count, coco.Images.Count);
        Assert.Equal(output["placed"]!.GetValue<long>(), coco.Annotations.Count);
        Assert.True(File.Exists(store.GetPath(Ref(output["preview"]!))));
        Assert.Equal(coco.Annotations.Count, metrics["placed"]);
        Assert.Contains(metrics.Keys, k => k.StartsWith("density/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bank_built_once_feeds_the_density_branches()
    {
        var home = TestPaths.NewTempFolder();
        var store = new LocalArtifactStore(Path.Combine(home, "artifacts"));
        var annotations = await store.PutFileAsync(TestPaths.TestAnnotations, "test.json");
        var context = new ActivityContext
        {
            RunId = "run", StepId = "step", NodeId = "bank", Attempt = 1, WorkFolder = Path.Combine(home, "bank"), Artifacts = store,
            Progress = new CellSeg.Data.SyncProgress<StepProgress>(_ => { }), Logger = NullLogger.Instance,
            CancellationToken = CancellationToken.None, Device = "cpu", ReportMetric = (_, _, _) => { },
        };
        IActivity build = new BuildCellBank();
        var built = await build.ExecuteAsync(new JsonObject
        {
            ["annotations"] = JsonNode.Parse(JsonSerializer.Serialize(annotations, ActivityJson.Options)),
            ["imagesFolder"] = Path.Combine(TestPaths.LivecellSample, "images", "livecell_test_images"),
        }, context);
        Assert.True(built["cells"]!.GetValue<int>() > 2000);

        IActivity generate = new GenerateSynthetic();
        var placed = new List<long>();
        foreach (var density in new[] { 20, 200 })
        {
            var branch = new ActivityContext
            {
                RunId = "run", StepId = $"step{density}", NodeId = "synthetic", Attempt = 1, WorkFolder = Path.Combine(home, $"d{density}"), Artifacts = store,
                Progress = new CellSeg.Data.SyncProgress<StepProgress>(_ => { }), Logger = NullLogger.Instance,
                CancellationToken = CancellationToken.None, Device = "cpu", ReportMetric = (_, _, _) => { },
            };
            var output = await generate.ExecuteAsync(new JsonObject
            {
                ["bank"] = built["bank"]!.DeepClone(),
                ["density"] = density,
                ["imagesPerType"] = 1,
                ["previewDensities"] = new JsonArray(density),
                ["previewCellType"] = "MCF7",
            }, branch);
            placed.Add(output["placed"]!.GetValue<long>());
        }

        Assert.True(placed[1] > placed[0]);
    }

    [Fact]
    public async Task Without_images_the_activity_says_what_it_needs()
    {
        var home = TestPaths.NewTempFolder();
        var store = new LocalArtifactStore(Path.Combine(home, "artifacts"));
        var annotations = await store.PutFileAsync(TestPaths.ValAnnotations, "val.json");
        var context = new ActivityContext
        {
            RunId = "run", StepId = "step", NodeId = "synthetic", Attempt = 1, WorkFolder = home, Artifacts = store,
            Progress = new CellSeg.Data.SyncProgress<StepProgress>(_ => { }), Logger = NullLogger.Instance,
            CancellationToken = CancellationToken.None, Device = "cpu", ReportMetric = (_, _, _) => { },
        };
        IActivity activity = new GenerateSynthetic();
        var inputs = new JsonObject { ["annotations"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(annotations, ActivityJson.Options)) };
        var error = await Assert.ThrowsAsync<ActivityInputException>(() => activity.ExecuteAsync(inputs, context));
        Assert.Contains("imagesFolder", error.Message);
        Assert.Equal("images", error.Input);
    }

    private static ArtifactRef Ref(JsonNode node) => node.Deserialize<ArtifactRef>(ActivityJson.Options)!;
}
