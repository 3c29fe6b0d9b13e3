using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Masks;
using CellSegFlows.Activities.Evaluation;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using Microsoft.Extensions.Logging.Abstractions;

namespace CellSegFlows.Activities.Tests;

public sealed class InstancesToSemanticActivityTests
{
    private static ArtifactRef Ref(JsonNode? node) => node.Deserialize<ArtifactRef>(ActivityJson.Options)!;

    private static JsonNode? Node(ArtifactRef artifact) => JsonNode.Parse(JsonSerializer.Serialize(artifact, ActivityJson.Options));

    [Fact]
    public async Task Ground_truth_as_predictions_gives_one_mask_artifact_per_image_with_the_cells_of_that_image()
    {
        var home = TestPaths.NewTempFolder();
        var truth = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var results = Path.Combine(home, "results.json");
        await CocoWriter.WriteDetectionsAsync(truth.Annotations.Select(a =>
        {
            var image = truth.FindImage(a.ImageId)!;
            return new CocoDetection(a.ImageId, a.CategoryId, 1.0, new RleSegmentation(a.Segmentation.ToRle(image.Height, image.Width)), null);
        }), results);
        var store = new LocalArtifactStore(Path.Combine(home, "artifacts"));
        var metrics = new Dictionary<string, double>();
        var context = new ActivityContext
        {
            RunId = "run",
            StepId = "step",
            NodeId = "semantic",
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
            ["annotations"] = Node(await store.PutFileAsync(TestPaths.ValAnnotations, "val.json")),
            ["predictions"] = Node(await store.PutFileAsync(results, "results.json")),
        };

        IActivity activity = new InstancesToSemantic();
        var output = await activity.ExecuteAsync(inputs, context);

        var masks = output["masks"]!.AsArray().Select(Ref).ToList();
        Assert.Equal(truth.Images.Count, masks.Count);
        Assert.Equal(truth.Annotations.Count, output["instances"]!.GetValue<int>());
        Assert.Equal(truth.Annotations.Count, metrics["instances"]);
        foreach (var image in truth.Images)
        {
            var mask = masks.Single(m => m.Name == Path.GetFileNameWithoutExtension(image.FileName) + ".png");
            var png = await GrayImageIO.ReadAsync(store.GetPath(mask));
            Assert.Equal((image.Width, image.Height), (png.Width, png.Height));
            var expected = MaskConversion.ToSemantic(truth.AnnotationsOf(image.Id).Select(a => a.Segmentation.ToRle(image.Height, image.Width)), image.Height, image.Width);
            Assert.Equal(expected.Data, png.Pixels8.Select(p => p == 0 ? (byte)0 : (byte)1).ToArray());
        }
    }
}
