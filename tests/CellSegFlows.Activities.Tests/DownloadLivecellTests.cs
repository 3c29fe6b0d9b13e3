using System.IO.Compression;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Activities.Tests;

public sealed class DownloadLivecellTests
{
    [Fact]
    public async Task The_download_example_validates_against_the_real_activities()
    {
        var file = Path.Combine(TestPaths.RepoRoot, "workflows", "livecell-download.json");
        var definition = await WorkflowDefinitionReader.LoadAsync(file);

        var problems = WorkflowValidator.Validate(definition, ActivityCatalog.Create());

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task DownloadLivecell_fetches_from_an_offline_mirror_folder_on_the_engine()
    {
        var mirror = TestPaths.NewTempFolder();
        foreach (var type in new[] { "a172", "skov3" })
        {
            var folder = Directory.CreateDirectory(Path.Combine(mirror, "annotations", "LIVECell_single_cells", type)).FullName;
            File.Copy(TestPaths.TestAnnotations, Path.Combine(folder, "test.json"));
        }

        using (var zip = ZipFile.Open(Path.Combine(mirror, "images.zip"), ZipArchiveMode.Create))
        {
            using var w = new StreamWriter(zip.CreateEntry("images/livecell_test_images/A172/a.tif").Open());
            w.Write("tiff");
        }

        var destination = Path.Combine(TestPaths.NewTempFolder(), "livecell");
        var workflow = new JsonObject
        {
            ["id"] = "download",
            ["version"] = 1,
            ["nodes"] = new JsonArray(new JsonObject
            {
                ["id"] = "fetch",
                ["activity"] = "DownloadLivecell",
                ["inputs"] = new JsonObject
                {
                    ["files"] = new JsonArray("single-cell:a172:test", "single-cell:skov3:test", "images"),
                    ["baseUrl"] = mirror,
                    ["destination"] = destination,
                },
            }),
            ["outputs"] = new JsonObject
            {
                ["annotations"] = "${nodes.fetch.annotations}",
                ["folder"] = "${nodes.fetch.folder}",
                ["images"] = "${nodes.fetch.imagesFolder}",
            },
        };

        var home = TestPaths.NewTempFolder();
        await using var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home }, ActivityCatalog.Create());
        var runId = await engine.StartRunAsync(workflow.ToJsonString(), "download.json", new Dictionary<string, string>());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var outputs = JsonNode.Parse(run.OutputsJson!)!;
        var names = outputs["annotations"]!.AsArray().Select(a => a!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["single-cell_a172_test.json", "single-cell_skov3_test.json"], names);
        Assert.Equal(Path.GetFullPath(destination), outputs["folder"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(outputs["images"]!.GetValue<string>(), "livecell_test_images", "A172", "a.tif")));
        Assert.True(File.Exists(Path.Combine(destination, "annotations", "LIVECell_single_cells", "skov3", "test.json.sha256")));
    }
}
