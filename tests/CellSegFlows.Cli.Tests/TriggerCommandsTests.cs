namespace CellSegFlows.Cli.Tests;

public sealed class TriggerCommandsTests
{
    private static string Quickstart => Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json");

    [Fact]
    public async Task Schedule_add_list_update_and_remove_keep_the_schedule_in_the_run_store()
    {
        var home = TestPaths.NewTempFolder();
        var (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "nightly", "--workflow", Quickstart, "--cron", "0 0 3 * * ?", "--param", "seed=7", "--misfire", "fire-once", "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains("schedule nightly added: workflow quickstart", output);
        Assert.Contains("misfire fire-once", output);
        Assert.Contains("next firing (by cron):", output);
        Assert.Contains("fire only while an engine process runs", output);

        (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "nightly", "--workflow", Quickstart, "--cron", "0 30 4 * * ?", "--allow-overlap", "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains("schedule nightly updated", output);

        (code, output) = await CliRunner.RunAsync("schedule", "list", "--home", home);
        Assert.Equal(0, code);
        Assert.Contains("nightly", output);
        Assert.Contains("0 30 4 * * ?", output);
        Assert.Contains("allowed", output);
        Assert.Contains(":30:00", output); // the next firing, computed from the cron expression

        (code, output) = await CliRunner.RunAsync("schedule", "remove", "nightly", "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains("schedule nightly removed", output);
        (_, output) = await CliRunner.RunAsync("schedule", "list", "--home", home);
        Assert.Contains("no schedules in", output);

        (code, output) = await CliRunner.RunAsync("schedule", "remove", "nightly", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("error: no schedule 'nightly'", output);
    }

    [Fact]
    public async Task Schedule_add_refuses_a_bad_cron_a_missing_or_invalid_workflow_and_missing_options()
    {
        var home = TestPaths.NewTempFolder();
        var (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "n", "--workflow", Quickstart, "--cron", "0 0 3 * *", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("error: schedule 'n': cron: '0 0 3 * *' is not a Quartz cron expression", output);

        var missing = Path.Combine(home, "missing.json");
        (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "n", "--workflow", missing, "--cron", "0 0 3 * * ?", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("error: schedule 'n': workflow: workflow file not found", output);

        var invalid = Path.Combine(home, "invalid.json");
        await File.WriteAllTextAsync(invalid, """{ "id": "bad", "nodes": [ { "id": "a", "activity": "NoSuchActivity", "inputs": {} } ] }""");
        (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "n", "--workflow", invalid, "--cron", "0 0 3 * * ?", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("schedule 'n': workflow:", output);
        Assert.Contains("NoSuchActivity", output);

        (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "n", "--workflow", Quickstart, "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("--cron is required", output);

        (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "n", "--workflow", Quickstart, "--cron", "0 0 3 * * ?", "--misfire", "later", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("--misfire must be skip or fire-once", output);

        (_, output) = await CliRunner.RunAsync("schedule", "list", "--home", home);
        Assert.Contains("no schedules in", output);
    }

    [Fact]
    public async Task Watch_add_list_and_remove_and_a_parameter_that_cannot_take_a_path_is_refused()
    {
        var home = TestPaths.NewTempFolder();
        var folder = Directory.CreateDirectory(Path.Combine(home, "incoming")).FullName;
        var (code, output) = await CliRunner.RunAsync("watch", "list", "--home", home);
        Assert.Equal(0, code);
        Assert.Contains("no watches in", output);
        Assert.False(File.Exists(Path.Combine(home, "runs.db")));

        (code, output) = await CliRunner.RunAsync("watch", "add", "--id", "incoming", "--workflow", Quickstart, "--folder", folder, "--glob", "*.json", "--param-name", "preset", "--param", "seed=3", "--settle", "500ms", "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains("watch incoming added", output);
        Assert.Contains("'preset'", output);
        Assert.Contains("settle 500ms, poll 2s", output);
        Assert.Contains("fire only while an engine process runs", output);

        (code, output) = await CliRunner.RunAsync("watch", "list", "--home", home);
        Assert.Equal(0, code);
        Assert.Contains("incoming", output);
        Assert.Contains(folder, output);
        Assert.Contains("500ms", output);

        (code, output) = await CliRunner.RunAsync("watch", "add", "--id", "seeds", "--workflow", Quickstart, "--folder", folder, "--param-name", "seed", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("error: watch 'seeds': parameterName: parameter 'seed' of workflow 'quickstart' is int", output);

        (code, output) = await CliRunner.RunAsync("watch", "add", "--id", "gone", "--workflow", Quickstart, "--folder", Path.Combine(home, "nope"), "--param-name", "preset", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("error: watch 'gone': folder: folder not found", output);

        (code, output) = await CliRunner.RunAsync("watch", "add", "--id", "slow", "--workflow", Quickstart, "--folder", folder, "--param-name", "preset", "--settle", "soon", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("--settle: 'soon' is not a duration", output);

        (code, output) = await CliRunner.RunAsync("watch", "remove", "incoming", "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains("watch incoming removed", output);
        (_, output) = await CliRunner.RunAsync("watch", "list", "--home", home);
        Assert.Contains("no watches in", output);
        (code, _) = await CliRunner.RunAsync("watch", "remove", "incoming", "--home", home);
        Assert.Equal(2, code);
    }
}

/// <summary>Trigger changes from the command line are in the audit log, as the server's are.</summary>
public sealed class TriggerAuditTests
{
    [Fact]
    public async Task Schedule_and_watch_changes_from_the_cli_are_audited()
    {
        var home = TestPaths.NewTempFolder();
        var quickstart = Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json");
        var incoming = Directory.CreateDirectory(Path.Combine(home, "incoming")).FullName;
        Assert.Equal(0, (await CliRunner.RunAsync("schedule", "add", "--id", "nightly", "--workflow", quickstart, "--cron", "0 0 3 * * ?", "--home", home)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("schedule", "remove", "nightly", "--home", home)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("watch", "add", "--id", "incoming", "--workflow", Path.Combine(TestPaths.RepoRoot, "workflows", "evaluate.json"), "--folder", incoming, "--glob", "*.json", "--param-name", "annotations", "--home", home)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("watch", "remove", "incoming", "--home", home)).ExitCode);

        await using var db = Engine.Store.RunStoreOptions.Sqlite(Path.Combine(home, "runs.db")).CreateContext();
        var actions = db.Audit.Where(a => a.Actor == "cli:" + Environment.UserName).Select(a => a.Action + " " + a.Target).ToList();
        Assert.Equal(["schedule.save nightly", "schedule.remove nightly", "watch.save incoming", "watch.remove incoming"], actions);
    }
}

/// <summary>Connection strings (which hold passwords) can come from a file or the environment instead of the command line.</summary>
public sealed class ConnectionSecretTests
{
    [Fact]
    public async Task The_run_store_is_read_from_a_file_or_the_environment_and_not_from_both_options()
    {
        var folder = TestPaths.NewTempFolder();
        var storePath = Path.Combine(folder, "elsewhere", "runs.db");
        Directory.CreateDirectory(Path.GetDirectoryName(storePath)!);
        var secret = Path.Combine(folder, "store.txt");
        await File.WriteAllTextAsync(secret, storePath + "\n");
        var quickstart = Path.Combine(TestPaths.RepoRoot, "workflows", "quickstart.json");
        var (code, output) = await CliRunner.RunAsync("schedule", "add", "--id", "from-file", "--workflow", quickstart, "--cron", "0 0 3 * * ?", "--home", folder, "--store-file", secret);
        Assert.True(code == 0, output);
        Assert.True(File.Exists(storePath), "the store named in the file was used");
        Assert.False(File.Exists(Path.Combine(folder, "runs.db")));

        var (both, _, errors) = await CliRunner.RunSplitAsync("schedule", "list", "--home", folder, "--store", storePath, "--store-file", secret);
        Assert.Equal(2, both);
        Assert.Contains("--store and --store-file both given", errors, StringComparison.Ordinal);

        // The environment, in a child process (it is process-wide).
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "cellsegflows.dll"), "schedule", "list", "--home", folder })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CELLSEGFLOWS_STORE"] = storePath;
        var (exit, listed) = await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, listed);
        Assert.Contains("from-file", listed, StringComparison.Ordinal);
    }
}
