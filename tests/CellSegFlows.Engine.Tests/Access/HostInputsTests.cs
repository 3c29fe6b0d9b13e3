using CellSegFlows.Engine.Access;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.TestHost;
using CellSegFlows.Engine.Tests.Runtime;

namespace CellSegFlows.Engine.Tests.Access;

/// <summary>The engine checks declared host-path inputs before a step runs: a refusal fails the step in one line, at once, untried.</summary>
public sealed class HostInputsTests
{
    private static async Task<(EngineHarness Harness, string Data)> RestrictedAsync()
    {
        var data = TestPaths.NewTempFolder();
        var harness = await EngineHarness.StartAsync(configure: o => o with { HostAccess = HostAccess.Restricted([new DataRoot(data, true, "the data folder")], [], []) });
        return (harness, data);
    }

    private static string Workflow(string folder, string read, string key) => $$"""
        {
          "id": "host-files",
          "nodes": [
            { "id": "write", "activity": "test.HostFiles", "inputs": { "folder": "{{folder}}", "read": "{{read}}", "key": "{{key}}" },
              "retry": { "attempts": 3, "delay": "5s" } }
          ],
          "outputs": { "folder": "${nodes.write.folder}", "read": "${nodes.write.read}", "text": "${nodes.write.text}" }
        }
        """;

    [Fact]
    public async Task A_folder_outside_the_roots_fails_the_step_in_one_line_without_running_or_retrying_it()
    {
        var (h, _) = await RestrictedAsync();
        await using var _ = h;
        var outside = TestPaths.NewTempFolder();
        var key = Guid.NewGuid().ToString("N");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var detail = await h.RunAsync(Workflow(outside, "", key));

        Assert.Equal(RunStatus.Failed, detail.Run.Status);
        var error = detail.Step("write").Error!;
        Assert.StartsWith($"node 'write', input 'folder': '{outside}' is outside the data roots", error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error, StringComparison.Ordinal);     // no stack trace
        Assert.Equal(0, Calls.Of(key));                                    // never ran
        Assert.False(File.Exists(Path.Combine(outside, "note.txt")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "a refusal is not retried (the node would wait 5 s)");
    }

    [Fact]
    public async Task A_file_read_through_a_relative_path_stays_inside_the_roots()
    {
        var (h, data) = await RestrictedAsync();
        await using var _ = h;
        Directory.CreateDirectory(Path.Combine(data, "out"));
        await File.WriteAllTextAsync(Path.Combine(data, "out", "in.txt"), "hello");
        var ok = await h.RunAsync(Workflow("out", "in.txt", Guid.NewGuid().ToString("N")));
        Assert.True(ok.Run.Status == RunStatus.Succeeded, ok.Run.Error);
        var outputs = System.Text.Json.Nodes.JsonNode.Parse(ok.Run.OutputsJson!)!;
        Assert.Equal(Path.Combine(data, "out"), outputs["folder"]!.GetValue<string>());
        Assert.Equal(Path.Combine(data, "out", "in.txt"), outputs["read"]!.GetValue<string>());
        Assert.Equal("hello", outputs["text"]!.GetValue<string>());

        File.CreateSymbolicLink(Path.Combine(data, "out", "passwd"), "/etc/passwd");
        var refused = await h.RunAsync(Workflow("out", "passwd", Guid.NewGuid().ToString("N")));
        Assert.Equal(RunStatus.Failed, refused.Run.Status);
        Assert.Contains("input 'read': 'passwd' is outside the data roots", refused.Step("write").Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_restrictions_paths_are_used_as_given()
    {
        await using var h = await EngineHarness.StartAsync();
        var folder = TestPaths.NewTempFolder();
        var detail = await h.RunAsync(Workflow(folder, "", Guid.NewGuid().ToString("N")));
        Assert.True(detail.Run.Status == RunStatus.Succeeded, detail.Run.Error);
        Assert.True(File.Exists(Path.Combine(folder, "note.txt")));
    }

    [Fact]
    public void The_registry_describes_host_inputs_and_refuses_wrong_declarations()
    {
        var descriptor = EngineHarness.Registry().Find("test.HostFiles")!;
        Assert.Equal(PortKind.FolderToWrite, descriptor.Inputs.Single(p => p.Name == "folder").Kind);
        Assert.Equal("folder", descriptor.Inputs.Single(p => p.Name == "read").RelativeTo);
        Assert.Equal("folderToWrite", EngineHarness.Registry().ToJson().Single(a => a!["activity"]!.GetValue<string>() == "test.HostFiles")!["inputs"]![0]!["kind"]!.GetValue<string>());
        Assert.Contains("only string inputs", Assert.Throws<ArgumentException>(() => new ActivityRegistry().Add(typeof(BadKind))).Message, StringComparison.Ordinal);
        Assert.Contains("not a folder input", Assert.Throws<ArgumentException>(() => new ActivityRegistry().Add(typeof(BadRelative))).Message, StringComparison.Ordinal);
    }

    [Activity("test.BadKind")]
    private sealed class BadKind : Activity<BadKind.Input, BadKind.Output>
    {
        public sealed record Input([property: Port("n", Kind = PortKind.FileToRead)] long Count);

        public sealed record Output(long Count);

        protected override Task<Output> ExecuteAsync(Input input, ActivityContext context) => Task.FromResult(new Output(input.Count));
    }

    [Activity("test.BadRelative")]
    private sealed class BadRelative : Activity<BadRelative.Input, BadRelative.Output>
    {
        public sealed record Input([property: Port("f", Kind = PortKind.FileToRead, RelativeTo = "name")] string File, string Name = "");

        public sealed record Output(string File);

        protected override Task<Output> ExecuteAsync(Input input, ActivityContext context) => Task.FromResult(new Output(input.File));
    }
}
