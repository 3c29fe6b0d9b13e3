using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Cli.Tests;

/// <summary>Triggers that run a stored definition, and a stored definition written back to a file.</summary>
public sealed class WorkflowDefinitionCommandsTests
{
    private static string Quickstart => Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json");

    [Fact]
    public async Task Schedule_add_takes_a_stored_definition_latest_or_pinned_and_refuses_an_unknown_one()
    {
        var home = TestPaths.NewTempFolder();
        var (v1, _) = await StoreTwoVersionsAsync(home);

        var (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "nightly", "--definition", "quickstart", "--cron", "0 0 3 * * ?", "--param", "seed=7", "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains("schedule nightly added: workflow quickstart (definition quickstart (latest))", output);

        (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "pinned", "--definition", $"quickstart@{v1[..12]}", "--cron", "0 0 3 * * ?", "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains($"definition quickstart@{v1[..12]}", output);

        (code, output) = await CliRunner.RunAsync("schedule", "list", "--home", home);
        Assert.Equal(0, code);
        Assert.Contains("definition quickstart (latest)", output);

        var store = RunStoreOptions.Sqlite(Path.Combine(home, "runs.db"));
        await using (var db = store.CreateContext())
        {
            var pinned = await db.Schedules.FindAsync("pinned");
            Assert.Equal((null, v1), (pinned!.WorkflowPath, pinned.PinnedVersion));
        }

        (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "x", "--definition", "nope", "--cron", "0 0 3 * * ?", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("error: schedule 'x': definition: no stored workflow definition 'nope'", output);

        (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "x", "--definition", "quickstart@0123456789ab", "--cron", "0 0 3 * * ?", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("pinnedVersion: workflow 'quickstart' has no stored version '0123456789ab'", output);

        (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "x", "--workflow", Quickstart, "--definition", "quickstart", "--cron", "0 0 3 * * ?", "--home", home);
        Assert.NotEqual(0, code);
        Assert.Contains("give --workflow or --definition, not both", output);

        var folder = Directory.CreateDirectory(Path.Combine(home, "incoming")).FullName;
        (code, output) = await CliRunner.RunAsync("watch", "add", "--id", "w", "--definition", "quickstart", "--folder", folder, "--param-name", "nope", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("watch 'w': parameterName: workflow 'quickstart' has no parameter 'nope'", output);
    }

    [Fact]
    public async Task Workflows_export_writes_the_latest_or_a_given_version_to_a_file_through_a_temporary_file()
    {
        var home = TestPaths.NewTempFolder();
        var (v1, v2) = await StoreTwoVersionsAsync(home);
        var outFolder = Directory.CreateDirectory(Path.Combine(home, "out")).FullName;
        var target = Path.Combine(outFolder, "quickstart.json");
        await File.WriteAllTextAsync(target, "old content");

        var (code, output) = await CliRunner.RunAsync("workflows", "export", "quickstart", "--out", target, "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains($"workflow quickstart version 3 ({v2[..12]}", output);
        Assert.Equal(v2, HashOf(await File.ReadAllTextAsync(target)));
        Assert.Equal(["quickstart.json"], Directory.GetFiles(outFolder).Select(Path.GetFileName));

        var old = Path.Combine(outFolder, "v1.json");
        (code, output) = await CliRunner.RunAsync("workflows", "export", "quickstart", "--version", v1[..8], "--out", old, "--home", home);
        Assert.True(code == 0, output);
        Assert.Equal(v1, HashOf(await File.ReadAllTextAsync(old)));

        (code, output) = await CliRunner.RunAsync("validate", old);
        Assert.True(code == 0, output);

        (code, output) = await CliRunner.RunAsync("workflows", "export", "nope", "--out", Path.Combine(outFolder, "n.json"), "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("error: no stored workflow 'nope'", output);
        (code, output) = await CliRunner.RunAsync("workflows", "export", "quickstart", "--out", Path.Combine(home, "no-folder", "q.json"), "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("no folder", output);
        (code, output) = await CliRunner.RunAsync("workflows", "export", "quickstart", "--out", target, "--home", Path.Combine(home, "empty"));
        Assert.Equal(2, code);
        Assert.Contains("no run store", output);
    }

    private static string HashOf(string json) => DefinitionHash.Compute(WorkflowDefinitionReader.Parse(json, "exported"));

    /// <summary>The quickstart definition stored as version 1 and, a minute later, version 2 (as the studio saves them).</summary>
    private static async Task<(string V1, string V2)> StoreTwoVersionsAsync(string home)
    {
        var store = RunStoreOptions.Sqlite(Path.Combine(home, "runs.db"));
        await store.MigrateAsync();
        var first = WorkflowDefinitionReader.Parse(await File.ReadAllTextAsync(Quickstart), Quickstart);
        var second = first with { Version = first.Version + 1 };
        var saved = DateTimeOffset.UtcNow.AddMinutes(-2);
        await store.WriteAsync(db =>
        {
            foreach (var (definition, at) in new[] { (first, saved), (second, saved.AddMinutes(1)) })
            {
                db.Definitions.Add(new DefinitionVersionRecord
                {
                    Hash = DefinitionHash.Compute(definition), WorkflowId = definition.Id, VersionLabel = definition.Version,
                    Json = WorkflowDefinitionWriter.ToJson(definition), SavedAt = at, SavedBy = "test",
                });
            }

            return Task.FromResult(true);
        });
        return (DefinitionHash.Compute(first), DefinitionHash.Compute(second));
    }
}
