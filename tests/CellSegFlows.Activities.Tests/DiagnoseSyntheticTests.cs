using System.Text.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Activities.Data;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using Microsoft.Extensions.Logging.Abstractions;

namespace CellSegFlows.Activities.Tests;

public sealed class DiagnoseSyntheticTests
{
    private static ActivityContext Context(string home, LocalArtifactStore store, string node, Dictionary<string, double> metrics) => new()
    {
        RunId = "run", StepId = node, NodeId = node, Attempt = 1, WorkFolder = Path.Combine(home, node), Artifacts = store,
        Progress = new CellSeg.Data.SyncProgress<StepProgress>(_ => { }), Logger = NullLogger.Instance,
        CancellationToken = CancellationToken.None, Device = "cpu", ReportMetric = (name, value, _) => metrics[name] = value,
    };

    private static JsonNode Json(object value) => JsonNode.Parse(JsonSerializer.Serialize(value, ActivityJson.Options))!;

    [Fact]
    public async Task Real_sample_against_its_synthetic_set_gives_a_report_a_page_and_the_crop_share()
    {
        var home = TestPaths.NewTempFolder();
        var store = new LocalArtifactStore(Path.Combine(home, "artifacts"));
        var metrics = new Dictionary<string, double>();
        var annotations = await store.PutFileAsync(TestPaths.TestAnnotations, "test.json");
        var folder = Path.Combine(TestPaths.LivecellSample, "images", "livecell_test_images");
        var realImages = new JsonArray();
        foreach (var file in Directory.GetFiles(folder, "*.tif").Order(StringComparer.Ordinal))
        {
            realImages.Add(Json(await store.PutFileAsync(file, Path.GetFileName(file))));
        }

        IActivity generate = new GenerateSynthetic();
        var set = await generate.ExecuteAsync(new JsonObject
        {
            ["annotations"] = Json(annotations), ["imagesFolder"] = folder, ["density"] = 40, ["imagesPerCellType"] = 2, ["seed"] = 2,
        }, Context(home, store, "synthetic", metrics));

        IActivity diagnose = new DiagnoseSynthetic();
        var output = await diagnose.ExecuteAsync(new JsonObject
        {
            ["annotations"] = Json(annotations),
            ["images"] = realImages,
            ["syntheticAnnotations"] = new JsonArray(set["annotations"]!.DeepClone()),
            ["syntheticImages"] = set["images"]!.DeepClone(),
        }, Context(home, store, "diagnose", metrics));

        // 15 real images and 2 synthetic per cell type (7 types) drawn uniformly: 14 of 29 crops are synthetic.
        Assert.Equal(14 / 29.0, output["syntheticCropShare"]!.GetValue<double>(), 9);
        Assert.Equal(14 / 29.0, metrics["syntheticCropShare"], 9);
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(store.GetPath(output["report"].Deserialize<ArtifactRef>(ActivityJson.Options)!)));
        var types = report.RootElement.GetProperty("cellTypes").EnumerateArray().ToList();
        Assert.Equal(7, types.Count);
        Assert.All(types, t => Assert.True(t.GetProperty("real").GetProperty("images").GetInt32() >= 1 && t.GetProperty("synthetic").GetProperty("images").GetInt32() == 2));
        Assert.Contains(metrics.Keys, k => k == "haloDistance/MCF7");
        var page = await File.ReadAllTextAsync(store.GetPath(output["page"].Deserialize<ArtifactRef>(ActivityJson.Options)!));
        Assert.Contains("<h2>MCF7</h2>", page, StringComparison.Ordinal);
        Assert.Contains("data:image/png;base64,", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_out_of_range_image_count_is_refused_naming_the_input()
    {
        var home = TestPaths.NewTempFolder();
        var store = new LocalArtifactStore(Path.Combine(home, "artifacts"));
        var annotations = await store.PutFileAsync(TestPaths.TestAnnotations, "test.json");
        IActivity diagnose = new DiagnoseSynthetic();
        var error = await Assert.ThrowsAsync<ActivityInputException>(() => diagnose.ExecuteAsync(new JsonObject
        {
            ["annotations"] = Json(annotations), ["images"] = new JsonArray(), ["syntheticAnnotations"] = new JsonArray(Json(annotations)), ["maxImagesPerCellType"] = 0,
        }, Context(home, store, "diagnose", [])));
        Assert.Contains("maxImagesPerCellType", error.Message + error.Input, StringComparison.Ordinal);
    }
}
