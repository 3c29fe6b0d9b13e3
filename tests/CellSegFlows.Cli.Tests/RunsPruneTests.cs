using System.Text.RegularExpressions;
using CellSegFlows.Engine.Store;
using CellSegFlows.Testing;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Cli.Tests;

/// <summary><c>runs prune</c> on a real SQLite run store and real blobs: old runs go, then the blobs no kept run references.</summary>
public class RunsPruneTests
{
    private const string Workflow = """
        { "id": "prune", "parameters": { "seed": { "type": "int", "default": 7 } },
          "nodes": [
            { "id": "own", "activity": "MakeSampleDataset", "inputs": { "imagesPerCellType": 1, "seed": "${params.seed}", "width": 48, "height": 40 } },
            { "id": "common", "activity": "MakeSampleDataset", "inputs": { "imagesPerCellType": 1, "seed": 1, "width": 48, "height": 40 } } ] }
        """;

    [Fact]
    public async Task Prune_removes_old_runs_and_only_the_blobs_no_kept_run_references_and_a_dry_run_deletes_nothing()
    {
        var home = TestPaths.NewTempFolder();
        var workflow = Path.Combine(home, "prune.json");
        await File.WriteAllTextAsync(workflow, Workflow);
        Assert.Equal(0, (await CliRunner.RunAsync("run", workflow, "--home", home, "--param", "seed=7")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("run", workflow, "--home", home, "--param", "seed=8")).ExitCode);   // 'common' is a cache hit here

        var store = RunStoreOptions.Sqlite(Path.Combine(home, "runs.db"));
        string oldRun, newRun;
        HashSet<string> oldOnly, kept;
        await using (var db = store.CreateContext())
        {
            var runs = await db.Runs.ToListAsync();
            Assert.Equal(2, runs.Count);
            var old = runs.Single(r => r.ParametersJson.Contains('7'));
            oldRun = old.Id;
            newRun = runs.Single(r => r.Id != oldRun).Id;
            old.FinishedAt = DateTimeOffset.UtcNow.AddDays(-40);
            await db.SaveChangesAsync();
            var steps = await db.Steps.AsNoTracking().ToListAsync();
            HashSet<string> HashesOf(string run) => steps.Where(s => s.RunId == run).SelectMany(s => Regex.Matches(s.OutputsJson ?? "", "[0-9a-f]{64}").Select(m => m.Value)).ToHashSet();
            kept = HashesOf(newRun);
            oldOnly = HashesOf(oldRun).Except(kept).ToHashSet();
        }

        Assert.NotEmpty(oldOnly);
        Assert.NotEmpty(kept);
        var artifacts = Path.Combine(home, "artifacts");
        foreach (var file in Directory.GetFiles(Path.Combine(artifacts, "sha256"), "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));   // older than the grace
        }

        var young = Blob(artifacts, new string('a', 64), DateTime.UtcNow);                 // unreferenced but new: kept
        var stray = Blob(artifacts, new string('b', 64), DateTime.UtcNow.AddDays(-3));     // unreferenced and old: goes
        var leftover = Path.Combine(artifacts, "tmp", "killed-writer");
        await File.WriteAllTextAsync(leftover, "half");
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddDays(-1));

        var (code, output) = await CliRunner.RunAsync("runs", "prune", "--older-than", "30d", "--dry-run", "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains($"would prune run {oldRun}", output);
        Assert.DoesNotContain(newRun, output);
        Assert.All(oldOnly, h => Assert.Contains($"would delete blob {h}", output));
        Assert.All(kept, h => Assert.DoesNotContain(h, output));
        Assert.Contains($"would delete blob {new string('b', 64)}", output);
        Assert.DoesNotContain(new string('a', 64), output);
        Assert.True(File.Exists(stray) && File.Exists(leftover));
        Assert.All(oldOnly, h => Assert.True(HasBlob(artifacts, h)));
        await using (var db = store.CreateContext())
        {
            Assert.Equal(2, await db.Runs.CountAsync());
        }

        (code, output) = await CliRunner.RunAsync("runs", "prune", "--older-than", "30d", "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains($"pruned run {oldRun}", output);
        Assert.Contains("1 leftover temporary file(s)", output);
        Assert.All(oldOnly, h => Assert.False(HasBlob(artifacts, h), $"blob {h} of the pruned run is still there"));
        Assert.All(kept, h => Assert.True(HasBlob(artifacts, h), $"blob {h} of the kept run is gone"));
        Assert.False(File.Exists(stray));
        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(young));
        await using (var db = store.CreateContext())
        {
            Assert.Equal([newRun], await db.Runs.Select(r => r.Id).ToListAsync());
            Assert.False(await db.Steps.AnyAsync(s => s.RunId == oldRun));
            Assert.False(await db.Events.AnyAsync(e => e.RunId == oldRun));
            Assert.False(await db.Artifacts.AnyAsync(a => a.RunId == oldRun));
        }

        (code, output) = await CliRunner.RunAsync("runs", "show", newRun, "--home", home);
        Assert.True(code == 0, output);

        // A second prune finds nothing more to do.
        (code, output) = await CliRunner.RunAsync("runs", "prune", "--older-than", "30d", "--home", home);
        Assert.Equal(0, code);
        Assert.Contains("pruned 0 run(s)", output);
        Assert.Contains("freed 0 blob(s)", output);
    }

    [Fact]
    public async Task Prune_refuses_a_bad_age_and_a_missing_store_with_one_line()
    {
        var home = TestPaths.NewTempFolder();
        var (code, output) = await CliRunner.RunAsync("runs", "prune", "--older-than", "soon", "--home", home);
        Assert.Equal(CliApp.UserError, code);
        Assert.Contains("--older-than soon: not an age", output);
        (code, output) = await CliRunner.RunAsync("runs", "prune", "--older-than", "3d", "--home", home);
        Assert.Equal(CliApp.UserError, code);
        Assert.Contains("no run history", output);
        Assert.False(File.Exists(Path.Combine(home, "runs.db")));
    }

    private static string Blob(string artifacts, string hash, DateTime time)
    {
        var folder = Directory.CreateDirectory(Path.Combine(artifacts, "sha256", hash[..2])).FullName;
        var path = Path.Combine(folder, hash + ".bin");
        File.WriteAllText(path, "x");
        File.SetLastWriteTimeUtc(path, time);
        return path;
    }

    private static bool HasBlob(string artifacts, string hash) =>
        Directory.Exists(Path.Combine(artifacts, "sha256", hash[..2])) && Directory.EnumerateFiles(Path.Combine(artifacts, "sha256", hash[..2]), hash + "*").Any();
}
