using System.Diagnostics;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Registry;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Cli.Tests;

/// <summary>
/// The scheduled-retraining loop as a pipeline engineer runs it: a folder watch on workflows/retrain.json in a real worker
/// process, annotation files dropped into the folder, the worker SIGKILLed in the middle of training and started again.
/// </summary>
public sealed class RetrainLoopTests
{
    private static string Cli => Path.Combine(AppContext.BaseDirectory, "cellsegflows.dll");

    /// <summary>The first <paramref name="images"/> images of the sample's test split and their cells, as a new annotation file.</summary>
    private static byte[] Subset(int images)
    {
        var coco = JsonNode.Parse(File.ReadAllText(TestPaths.TestAnnotations))!.AsObject();
        var kept = coco["images"]!.AsArray().Take(images).Select(i => i!.DeepClone()).ToList();
        var ids = kept.Select(i => i!["id"]!.GetValue<long>()).ToHashSet();
        coco["images"] = new JsonArray([.. kept]);
        coco["annotations"] = new JsonArray([.. coco["annotations"]!.AsArray().Where(a => ids.Contains(a!["image_id"]!.GetValue<long>())).Select(a => a!.DeepClone())]);
        return System.Text.Encoding.UTF8.GetBytes(coco.ToJsonString());
    }

    private static Process StartWorker(string home, string incoming)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Cli, "worker", "--home", home, "--data-root", TestPaths.LivecellSample + ":ro", "--data-root", incoming + ":ro" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<T> WaitForAsync<T>(Func<RunDbContext, Task<T?>> probe, RunStoreOptions store, TimeSpan limit, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            await using (var db = store.CreateContext())
            {
                if (await probe(db) is { } found)
                {
                    return found;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(200);
        }
    }

    private static Task<RunRecord> FinishedRunAsync(RunStoreOptions store, int nth) => WaitForAsync(
        async db => (await db.Runs.AsNoTracking().Where(r => r.WorkflowId == "retrain").ToListAsync()).OrderBy(r => r.CreatedAt).Skip(nth - 1).FirstOrDefault(r => r.FinishedAt is not null),
        store, TimeSpan.FromMinutes(4), $"run {nth} of retrain to finish");

    [Fact]
    public async Task New_annotations_retrain_and_promote_by_the_rule_with_no_stale_cache_and_a_worker_killed_mid_training()
    {
        var home = TestPaths.NewTempFolder();
        var incoming = Directory.CreateDirectory(Path.Combine(home, "incoming")).FullName;
        var (code, output) = await CliRunner.RunAsync(
            "watch", "add", "--id", "incoming", "--workflow", Path.Combine(TestPaths.RepoRoot, "workflows", "retrain.json"), "--folder", incoming, "--glob", "*.json",
            "--param-name", "annotations", "--param", "folder=" + TestPaths.LivecellSample, "--param", "testAnnotations=" + TestPaths.ValAnnotations,
            "--param", "testImages=images/livecell_train_val_images", "--param", "model=unet-sample", "--param", "margin=0",
            "--param", "baseChannels=4", "--param", "depth=2", "--param", "epochs=1", "--param", "iterationsPerEpoch=150", "--param", "batchSize=2", "--param", "cropSize=96",
            "--settle", "1s", "--poll", "1s", "--home", home);
        Assert.True(code == 0, output);
        var store = RunStoreOptions.Sqlite(Path.Combine(home, "runs.db"));
        var registry = new ModelRegistry(store);
        var file = Path.Combine(incoming, "new.json");
        var small = Subset(2);
        var large = Subset(5);

        var worker = StartWorker(home, incoming);
        try
        {
            // Drop A: the first run trains version 1 and, with no champion, promotes it.
            await File.WriteAllBytesAsync(file, small);
            var first = await FinishedRunAsync(store, 1);
            Assert.True(first.Status == RunStatus.Succeeded, first.Error);
            var out1 = JsonNode.Parse(first.OutputsJson!)!;
            Assert.Equal(1, out1["version"]!.GetValue<int>());
            Assert.True(out1["promoted"]!.GetValue<bool>());
            Assert.Equal(1, (await registry.GetAsync("unet-sample"))!.Model.ChampionVersion);

            // Overwrite the same file with more cells: a new run, whose training is interrupted by a SIGKILL.
            await File.WriteAllBytesAsync(file, large);
            var training = await WaitForAsync(
                async db => await db.Steps.AsNoTracking().Where(s => s.RunId != first.Id && s.NodeId == "train" && s.Status == StepStatus.Running && s.Progress > 0.05).FirstOrDefaultAsync(),
                store, TimeSpan.FromMinutes(3), "the second run's training to be under way");
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
            worker.Dispose();
            worker = StartWorker(home, incoming);

            var second = await FinishedRunAsync(store, 2);
            Assert.Equal(training.RunId, second.Id);
            Assert.True(second.Status == RunStatus.Succeeded, second.Error);
            var detail = await new Engine.Hosting.RunQueries(store).DetailAsync(second.Id);
            var import = detail.Steps.Single(s => s.NodeId == "import");
            Assert.Equal(StepStatus.Succeeded, import.Status);    // not a stale cache hit on the same path
            var out2 = JsonNode.Parse(second.OutputsJson!)!;
            Assert.True(out2["cells"]!.GetValue<int>() > out1["cells"]!.GetValue<int>());
            var train = detail.Steps.Single(s => s.NodeId == "train");
            Assert.Equal(2, train.Attempt);
            Assert.Contains(detail.Events, e => e.StepId == train.Id && e.Message!.Contains("attempt 1 was interrupted", StringComparison.Ordinal));
            Assert.Equal(StepStatus.Cached, detail.Steps.Single(s => s.NodeId == "testset").Status);   // the fixed test split did not change

            // The challenger (version 2) was scored against version 1 on the same split, and the rule decided.
            Assert.Equal(2, out2["version"]!.GetValue<int>());
            var score = out2["score"]!.GetValue<double>();
            var championScore = out2["championScore"]!.GetValue<double>();
            var promoted = out2["promoted"]!.GetValue<bool>();
            Assert.Equal(score > championScore, promoted);
            var info = (await registry.GetAsync("unet-sample"))!;
            Assert.Equal(promoted ? 2 : 1, info.Model.ChampionVersion);
            Assert.Equal([2, 1], info.Versions.Select(v => v.Version));
            Assert.Equal(second.Id, info.Versions[0].RunId);
            Assert.Contains(file, info.Versions[0].DataJson!, StringComparison.Ordinal);
            var decision = info.Decisions[0];
            Assert.Equal(1, decision.PreviousChampion);
            Assert.Equal(promoted ? ModelDecision.Promoted : ModelDecision.Rejected, decision.Decision);
            Assert.Equal("run:" + second.Id, decision.By);
            Assert.Equal(2, info.Decisions.Count);

            // A third drop of identical content is recognised as seen: no run starts.
            await File.WriteAllBytesAsync(file, large);
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(-30));
            await Task.Delay(TimeSpan.FromSeconds(5));
            await using (var db = store.CreateContext())
            {
                Assert.Equal(2, await db.Runs.CountAsync(r => r.WorkflowId == "retrain"));
                var cursor = await db.FileCursors.SingleAsync(c => c.WatchId == "incoming");
                Assert.Equal(second.Id, cursor.RunId);
                var audit = await db.Audit.OrderBy(a => a.Id).Select(a => a.Action + " " + a.Target).ToListAsync();
                Assert.Equal(
                    ["watch.save incoming", "model.register model://unet-sample@1", "model.promote model://unet-sample@1", "model.register model://unet-sample@2",
                        (promoted ? "model.promote" : "model.reject") + " model://unet-sample@2"],
                    audit);
            }

            // What the registry holds is what the CLI shows and what segment uses.
            (code, output) = await CliRunner.RunAsync("models", "show", "unet-sample", "--home", home);
            Assert.True(code == 0, output);
            Assert.Contains(promoted ? "2 (champion)" : "1 (champion)", output, StringComparison.Ordinal);
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }

            worker.Dispose();
        }
    }
}
