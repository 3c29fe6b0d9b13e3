using System.Text.Json.Nodes;

namespace CellSegFlows.Cli.Tests;

public sealed class EngineCommandsTests
{
    private static string Quickstart => Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json");

    [Fact]
    public async Task Validate_accepts_the_quickstart_and_lists_every_problem_of_a_bad_file()
    {
        var (ok, okOutput) = await CliRunner.RunAsync("validate", Quickstart);
        Assert.Equal(0, ok);
        Assert.Contains("valid: quickstart v2, 9 nodes", okOutput);

        var bad = Path.Combine(TestPaths.NewTempFolder(), "bad.json");
        await File.WriteAllTextAsync(bad, """
            { "id": "bad", "nodes": [
                { "id": "a", "activity": "NoSuchActivity", "inputs": {} },
                { "id": "b", "activity": "EvaluateInstances", "inputs": { "annotations": "${nodes.c.x}", "preset": 3 } },
                { "id": "c", "activity": "SegmentImageClassical", "inputs": { "image": "${nodes.b.report}", "annotations": "${nodes.b.report}" } } ] }
            """);
        var (code, output) = await CliRunner.RunAsync("validate", bad);
        Assert.Equal(2, code);
        Assert.Contains("NoSuchActivity", output);
        Assert.Contains("cycle: b → c → b", output);
        Assert.Contains("preset", output);
        Assert.Contains("predictions", output); // missing required input
    }

    [Fact]
    public async Task Run_executes_the_quickstart_workflow_and_the_history_shows_it()
    {
        var home = TestPaths.NewTempFolder();
        var (code, output) = await CliRunner.RunAsync("run", Quickstart, "--home", home, "--param", "seed=3", "--param", "epochs=2", "--param", "stepsPerEpoch=4");
        Assert.True(code == 0, output);
        Assert.Contains("Succeeded", output);
        Assert.Contains("segment[7]", output);

        var (listCode, list) = await CliRunner.RunAsync("runs", "list", "--home", home);
        Assert.Equal(0, listCode);
        var runId = list.Split('\n').Select(l => l.Trim('│', ' ')).First(l => l.Contains("quickstart", StringComparison.Ordinal)).Split('│')[0].Trim();

        var (showCode, show) = await CliRunner.RunAsync("runs", "show", runId, "--home", home);
        Assert.Equal(0, showCode);
        Assert.Contains("\"seed\":3", show);
        Assert.Contains("journal", show);
        Assert.Contains("report.md", show);
        Assert.Contains("AP/A172", show);

        var (resumeCode, resume) = await CliRunner.RunAsync("runs", "resume", runId, "--home", home);
        Assert.Equal(0, resumeCode);
        Assert.Contains("already Succeeded", resume);

        // Who started it is recorded with the run and in the audit log, as for runs started through the server.
        var store = Engine.Store.RunStoreOptions.Sqlite(Path.Combine(home, "runs.db"));
        Assert.Equal("cli:" + Environment.UserName, (await new Engine.Hosting.RunQueries(store).RunAsync(runId)).StartedBy);
        await using var db = store.CreateContext();
        Assert.Contains(db.Audit, a => a.Action == "run.start" && a.Target == runId && a.Actor == "cli:" + Environment.UserName);
    }

    [Fact]
    public async Task Run_with_a_bad_parameter_lists_the_problem_and_runs_nothing()
    {
        var home = TestPaths.NewTempFolder();
        var (code, output) = await CliRunner.RunAsync("run", Quickstart, "--home", home, "--param", "seed=many", "--param", "colour=red");
        Assert.Equal(2, code);
        Assert.Contains("seed", output);
        Assert.Contains("many", output);
        Assert.Contains("colour", output);
        var (_, list) = await CliRunner.RunAsync("runs", "list", "--home", home);
        Assert.DoesNotContain("quickstart", list);
    }

    [Fact]
    public async Task Unknown_run_is_a_one_line_error()
    {
        var empty = TestPaths.NewTempFolder();
        var (code, output) = await CliRunner.RunAsync("runs", "show", "nope", "--home", empty);
        Assert.Equal(2, code);
        Assert.Contains("error: no run history at", output);
        Assert.False(File.Exists(Path.Combine(empty, "runs.db")));

        var home = TestPaths.NewTempFolder();
        await CliRunner.RunAsync("run", Path.Combine(TestPaths.RepoRoot, "workflows", "examples", "hello.json"), "--home", home);
        (code, output) = await CliRunner.RunAsync("runs", "show", "nope", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("error: no run nope", output);
    }

    [Fact]
    public async Task Activities_json_describes_ports_for_forms()
    {
        var (code, output) = await CliRunner.RunAsync("activities", "--json");
        Assert.Equal(0, code);
        var json = JsonNode.Parse(output)!.AsArray();
        Assert.Contains(json, a => a!["activity"]!.GetValue<string>() == "EvaluateInstances");

        // Every activity says whether its gpu steps may share a device; none of the built-in ones does yet.
        Assert.All(json, a => Assert.False(a!["sharesDevice"]!.GetValue<bool>(), a["activity"]!.GetValue<string>()));
    }
}
