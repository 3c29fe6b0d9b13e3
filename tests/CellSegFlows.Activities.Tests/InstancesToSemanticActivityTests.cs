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
        ActivityContext Context(string work) => new()
        {
            RunId = "run",
            StepId = "step",
            NodeId = "semantic",
            Attempt = 1,
            WorkFolder = Path.Combine(home, work),
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
        var output = await activity.ExecuteAsync(inputs, Context("work"));

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

        // The masks are a column of EvaluateSemantic's table, here with a perfect F1 (they are the ground truth).
        var images = Directory.GetFiles(Path.Combine(TestPaths.LivecellSample, "images", "livecell_train_val_images"))
            .Where(f => truth.Images.Any(i => i.FileName == Path.GetFileName(f)));
        var imageRefs = new JsonArray();
        foreach (var file in images)
        {
            imageRefs.Add(Node(await store.PutFileAsync(file, Path.GetFileName(file))));
        }

        IActivity evaluate = new EvaluateSemantic();
        var table = await evaluate.ExecuteAsync(new JsonObject
        {
            ["models"] = new JsonArray(),
            ["annotations"] = inputs["annotations"]!.DeepClone(),
            ["images"] = imageRefs,
            ["split"] = "val",
            ["masks"] = output["masks"]!.DeepClone(),
            ["masksName"] = "GT-as-CenterMask",
        }, Context("work-eval"));
        Assert.Equal([1.0], table["f1"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal("GT-as-CenterMask", table["best"]!.GetValue<string>());
        Assert.Contains("GT-as-CenterMask", await File.ReadAllTextAsync(store.GetPath(Ref(table["table"]))));
        Assert.Equal(1.0, metrics["F1/GT-as-CenterMask"]);
    }
}
