using System.Text.Json.Nodes;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.TestHost;

namespace CellSegFlows.Engine.Tests.Runtime;

/// <summary>The step cache sees what declared host files and folders hold, not only their paths, and the journal says why.</summary>
public sealed class ContentCacheTests
{
    private static string Workflow(string folder, string file, string key) => $$"""
        {
          "id": "content-cache",
          "nodes": [ { "id": "count", "activity": "test.CountFiles", "inputs": { "folder": "{{folder}}", "file": "{{file}}", "key": "{{key}}" } } ],
          "outputs": { "files": "${nodes.count.files}", "bytes": "${nodes.count.bytes}" }
        }
        """;

    private static JsonObject CacheEvent(RunDetail detail) =>
        JsonNode.Parse(detail.EventsOf("count").Last(e => e.Kind == "cache").Message!)!.AsObject();

    [Fact]
    public async Task A_changed_file_at_the_same_path_misses_naming_the_input_and_an_identical_touched_file_hits()
    {
        await using var h = await EngineHarness.StartAsync();
        var folder = TestPaths.NewTempFolder();
        var file = Path.Combine(TestPaths.NewTempFolder(), "annotations.json");
        await File.WriteAllTextAsync(file, """{"cells": 1243}""");
        var key = Guid.NewGuid().ToString("N");

        var first = await h.RunAsync(Workflow(folder, file, key));
        Assert.Equal(StepStatus.Succeeded, first.Step("count").Status);
        Assert.Equal("miss", CacheEvent(first)["decision"]!.GetValue<string>());
        Assert.Contains("no earlier step of this node", CacheEvent(first)["why"]!.GetValue<string>(), StringComparison.Ordinal);

        // Rewritten at the same path with other content: a miss, and the journal says which input changed.
        await File.WriteAllTextAsync(file, """{"cells": 621}""");
        var second = await h.RunAsync(Workflow(folder, file, key));
        Assert.Equal(StepStatus.Succeeded, second.Step("count").Status);
        Assert.Equal(2, Calls.Of(key));
        var why = CacheEvent(second)["why"]!.GetValue<string>();
        Assert.Contains("input 'file' changed (file content ", why, StringComparison.Ordinal);
        Assert.DoesNotContain("input 'folder'", why, StringComparison.Ordinal);
        Assert.Equal(14, JsonNode.Parse(second.Run.OutputsJson!)!["bytes"]!.GetValue<long>());

        // Touched (new modification time) but identical: hashed again, same hash, a hit.
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(5));
        var third = await h.RunAsync(Workflow(folder, file, key));
        Assert.Equal(StepStatus.Cached, third.Step("count").Status);
        Assert.Equal(2, Calls.Of(key));
        Assert.Equal("hit", CacheEvent(third)["decision"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_folder_with_one_file_added_misses_and_an_unchanged_one_hits()
    {
        var home = TestPaths.NewTempFolder();
        var folder = TestPaths.NewTempFolder();
        Directory.CreateDirectory(Path.Combine(folder, "images"));
        await File.WriteAllTextAsync(Path.Combine(folder, "images", "a.tif"), "a");
        var key = Guid.NewGuid().ToString("N");
        await using (var h = await EngineHarness.StartAsync(home))
        {
            Assert.Equal(StepStatus.Succeeded, (await h.RunAsync(Workflow(folder, "", key))).Step("count").Status);
            Assert.Equal(StepStatus.Cached, (await h.RunAsync(Workflow(folder, "", key))).Step("count").Status);
            await File.WriteAllTextAsync(Path.Combine(folder, "images", "b.tif"), "b");
            var added = await h.RunAsync(Workflow(folder, "", key));
            Assert.Equal(StepStatus.Succeeded, added.Step("count").Status);
            Assert.Contains("input 'folder' changed (folder content", CacheEvent(added)["why"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("(2 files)", CacheEvent(added)["why"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // The hashes are remembered in the home by size and modification time: a new engine process reuses them.
        Assert.Contains("b.tif", await File.ReadAllTextAsync(Path.Combine(home, "cache", "content-hashes.json")), StringComparison.Ordinal);
        await using var again = await EngineHarness.StartAsync(home);
        Assert.Equal(StepStatus.Cached, (await again.RunAsync(Workflow(folder, "", key))).Step("count").Status);
        Assert.Equal(2, Calls.Of(key));
    }
}
