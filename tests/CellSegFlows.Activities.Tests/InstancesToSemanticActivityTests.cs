using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Activities.Tests;

public sealed class InstancesToSemanticActivityTests
{
    private const string Workflow = """
        { "id": "semantic-test",
          "parameters": { "annotations": { "type": "artifact" }, "predictions": { "type": "artifact" }, "threshold": { "type": "number", "default": 0.5 } },
          "nodes": [
            { "id": "masks", "activity": "InstancesToSemantic",
              "inputs": { "annotations": "${params.annotations}", "predictions": "${params.predictions}", "scoreThreshold": "${params.threshold}" } } ],
          "outputs": { "masks": "${nodes.masks.masks}", "instances": "${nodes.masks.instances}" } }
        """;

    private static ArtifactRef Artifact(JsonNode? node) => node.Deserialize<ArtifactRef>(ActivityJson.Options)!;

    [Fact]
    public async Task Ground_truth_as_predictions_gives_one_mask_artifact_per_image_with_the_cells_of_that_image()
    {
        var truth = await CocoReader.LoadAsync(TestPaths.ValAnnotations);
        var folder = TestPaths.NewTempFolder();
        var results = Path.Combine(folder, "results.json");
        await CocoWriter.WriteDetectionsAsync(truth.Annotations.Select(a =>
        {
            var image = truth.FindImage(a.ImageId)!;
            return new CocoDetection(a.ImageId, a.CategoryId, 1.0, new RleSegmentation(a.Segmentation.ToRle(image.Height, image.Width)), null);
        }), results);

        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = Path.Combine(folder, "home") }, ActivityCatalog.Create());
        var annotations = await engine.Artifacts.PutFileAsync(TestPaths.ValAnnotations, "val.json");
        var predictions = await engine.Artifacts.PutFileAsync(results, "results.json");
        var runId = await engine.StartRunAsync(Workflow, "semantic-test", new Dictionary<string, string>
        {
            ["annotations"] = JsonSerializer.Serialize(annotations, ActivityJson.Options),
            ["predictions"] = JsonSerializer.Serialize(predictions, ActivityJson.Options),
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        Assert.True(run.Status == RunStatus.Succeeded, run.Error);

        var outputs = JsonNode.Parse(run.OutputsJson!)!;
        var masks = outputs["masks"]!.AsArray().Select(Artifact).ToList();
        Assert.Equal(truth.Images.Count, masks.Count);
        Assert.Equal(truth.Annotations.Count, outputs["instances"]!.GetValue<int>());
        foreach (var image in truth.Images)
        {
            var mask = masks.Single(m => m.Name == Path.GetFileNameWithoutExtension(image.FileName) + ".png");
            var png = await GrayImageIO.ReadAsync(engine.Artifacts.GetPath(mask));
            Assert.Equal((image.Width, image.Height), (png.Width, png.Height));
            var expected = CellSeg.Data.Masks.MaskConversion.ToSemantic(truth.AnnotationsOf(image.Id).Select(a => a.Segmentation.ToRle(image.Height, image.Width)), image.Height, image.Width);
            Assert.Equal(expected.CountForeground(), png.Pixels8.LongCount(p => p != 0));
        }

        var detail = await engine.Runs.DetailAsync(runId);
        Assert.Contains(detail.Metrics, m => m.Name == "instances" && m.Value == truth.Annotations.Count);
    }
}
