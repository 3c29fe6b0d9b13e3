using System.Security.Cryptography;
using System.Text;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Runtime;
using CellSegFlows.Engine.TestHost;
using CellSegFlows.Engine.Triggers;
using static CellSegFlows.Engine.Tests.Triggers.TriggerTestKit;

namespace CellSegFlows.Engine.Tests.Triggers;

public sealed class FileWatchTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static FileWatchSpec Watch(string id, string workflow, string folder, int settleMs = 300) =>
        new(id, workflow, folder, "file") { Settle = TimeSpan.FromMilliseconds(settleMs), PollInterval = TimeSpan.FromMilliseconds(200), Parameters = new Dictionary<string, string> { ["label"] = "new" } };

    private static string Sha12(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    [Fact]
    public async Task Each_new_file_starts_one_run_a_changed_file_one_more_and_an_unchanged_one_none()
    {
        await using var h = await EngineHarness.StartAsync();
        var folder = Directory.CreateDirectory(Path.Combine(h.Home, "incoming")).FullName;
        await h.Engine.Triggers.AddFileWatchAsync(Watch("ann", FileWorkflow(h.Home), folder));

        var a = Path.Combine(folder, "a.json");
        var b = Path.Combine(folder, "b.json");
        await File.WriteAllTextAsync(a, "{\"a\":1}");
        await File.WriteAllTextAsync(b, "{\"b\":1}");
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not matched by *.json");
        await EventuallyAsync(async () => (await RunsAsync(h.Engine, "annotation")).Count >= 2, Wait, "a run per new file");
        await Task.Delay(800);

        var runs = await RunsAsync(h.Engine, "annotation");
        Assert.Equal(2, runs.Count);
        Assert.Equal([a, b], runs.Select(r => Parameter(r, "file")).Order(StringComparer.Ordinal));
        Assert.All(runs, r =>
        {
            Assert.Equal("annotation", r.Trigger);
            Assert.Equal("watch:ann", r.StartedBy);
            Assert.Equal("new", Parameter(r, "label"));
        });
        Assert.Contains(runs, r => r.TriggerDetail == $"a.json@{Sha12("{\"a\":1}")}");
        Assert.Contains(runs, r => r.TriggerDetail == $"b.json@{Sha12("{\"b\":1}")}");

        await File.WriteAllTextAsync(a, "{\"a\":2}");          // changed: one more run
        await File.WriteAllTextAsync(b, "{\"b\":1}");          // rewritten with the same content: none
        await EventuallyAsync(async () => (await RunsAsync(h.Engine, "annotation")).Count >= 3, Wait, "a run for the changed file");
        await Task.Delay(1000);

        runs = await RunsAsync(h.Engine, "annotation");
        Assert.Equal(3, runs.Count);
        Assert.Equal($"a.json@{Sha12("{\"a\":2}")}", runs[2].TriggerDetail);
        Assert.Equal(a, Parameter(runs[2], "file"));
        await EventuallyAsync(async () => (await RunsAsync(h.Engine, "annotation")).All(r => r.Status == RunStatus.Succeeded), Wait, "the runs to finish");
        Assert.Equal(2, Calls.Of(a));
        Assert.Equal(1, Calls.Of(b));

        var info = Assert.Single(await h.Engine.Triggers.ListFileWatchesAsync());
        Assert.Equal(2, info.FilesSeen);
        Assert.Equal(3, (await h.Engine.Triggers.ListFiringsAsync(TriggerStore.WatchKind, "ann")).Count(f => f.Outcome == FiringOutcome.Started));
    }

    [Fact]
    public async Task A_file_still_being_written_starts_no_run_until_it_has_settled()
    {
        await using var h = await EngineHarness.StartAsync();
        var folder = Directory.CreateDirectory(Path.Combine(h.Home, "incoming")).FullName;
        await h.Engine.Triggers.AddFileWatchAsync(Watch("grow", FileWorkflow(h.Home), folder, settleMs: 600));

        var path = Path.Combine(folder, "big.json");
        var content = new StringBuilder();
        for (var i = 0; i < 20; i++)
        {
            var chunk = $"{{\"chunk\":{i}}}\n";
            content.Append(chunk);
            await File.AppendAllTextAsync(path, chunk);
            await Task.Delay(100);
        }

        Assert.Empty(await RunsAsync(h.Engine, "annotation"));
        await EventuallyAsync(async () => (await RunsAsync(h.Engine, "annotation")).Count >= 1, Wait, "a run once the file settled");
        await Task.Delay(800);

        var run = Assert.Single(await RunsAsync(h.Engine, "annotation"));
        Assert.Equal($"big.json@{Sha12(content.ToString())}", run.TriggerDetail);
    }

    [Fact]
    public async Task After_a_restart_seen_files_start_no_runs_and_a_file_added_while_down_starts_one()
    {
        var home = TestPaths.NewTempFolder();
        var folder = Directory.CreateDirectory(Path.Combine(home, "incoming")).FullName;
        var workflow = FileWorkflow(home);
        var x = Path.Combine(folder, "x.json");
        var y = Path.Combine(folder, "y.json");
        await using (var first = await EngineHarness.StartAsync(home))
        {
            await first.Engine.Triggers.AddFileWatchAsync(Watch("restart", workflow, folder));
            await File.WriteAllTextAsync(x, "{\"x\":1}");
            await EventuallyAsync(async () => (await RunsAsync(first.Engine, "annotation")).Count >= 1, Wait, "a run for x");
        }

        await File.WriteAllTextAsync(y, "{\"y\":1}");
        await using var second = await EngineHarness.StartAsync(home);
        await EventuallyAsync(async () => (await RunsAsync(second.Engine, "annotation")).Count >= 2, Wait, "a run for y after the restart");
        await Task.Delay(1000);

        var runs = await RunsAsync(second.Engine, "annotation");
        Assert.Equal([x, y], runs.Select(r => Parameter(r, "file")));
    }

    [Fact]
    public async Task A_file_is_taken_in_one_transaction_with_its_run_so_a_second_scanner_starts_nothing()
    {
        // Two engines' worth of scanning on one store (as after a crash between the run and a lost memory, or on
        // two cluster nodes): the cursor is checked and written in the run's transaction, so the file runs once.
        await using var h = await EngineHarness.StartAsync();
        var folder = Directory.CreateDirectory(Path.Combine(h.Home, "incoming")).FullName;
        var store = new TriggerStore(RunStoreOptions.Sqlite(Path.Combine(h.Home, "runs.db")), EngineHarness.Registry());
        await store.AddFileWatchAsync(Watch("twice", FileWorkflow(h.Home), folder, settleMs: 0));
        await File.WriteAllTextAsync(Path.Combine(folder, "once.json"), "{}");

        var coordinator = new Engine.Runtime.RunCoordinator(store.Store, EngineHarness.Registry(), Engine.Definitions.WorkflowLimits.Default);
        var starter = new Engine.Runtime.RunStarter(coordinator, EngineHarness.Registry(), new NoSteps(), Engine.Definitions.WorkflowLimits.Default);
        var scanners = Enumerable.Range(0, 4).Select(_ => new TriggerRuntime(store, starter)).ToList();
        await Task.WhenAll(scanners.Select(s => s.ScanWatchAsync("twice", CancellationToken.None)));

        var run = Assert.Single(await RunsAsync(h.Engine, "annotation"));
        Assert.Equal("once.json", run.TriggerDetail![..run.TriggerDetail!.IndexOf('@', StringComparison.Ordinal)]);
        Assert.Single(await store.ListFiringsAsync(TriggerStore.WatchKind, "twice"));
    }

    [Fact]
    public async Task A_timed_scan_refused_because_the_watch_was_paused_meanwhile_leaves_the_file_for_a_scan_by_hand()
    {
        // The timed scan reads the watch (enabled), then the operator pauses it before the run is admitted: the
        // admission refuses, and the file must not count as done, or the paused watch's scan by hand starts nothing.
        await using var h = await EngineHarness.StartAsync();
        var folder = Directory.CreateDirectory(Path.Combine(h.Home, "incoming")).FullName;
        var store = new TriggerStore(RunStoreOptions.Sqlite(Path.Combine(h.Home, "runs.db")), EngineHarness.Registry());
        await store.AddFileWatchAsync(Watch("paused", FileWorkflow(h.Home), folder, settleMs: 0));
        await File.WriteAllTextAsync(Path.Combine(folder, "late.json"), "{}");

        var coordinator = new Engine.Runtime.RunCoordinator(store.Store, EngineHarness.Registry(), Engine.Definitions.WorkflowLimits.Default);
        var starter = new Engine.Runtime.RunStarter(coordinator, EngineHarness.Registry(), new NoSteps(), Engine.Definitions.WorkflowLimits.Default);
        var pauseOnce = 1;
        var scanner = new TriggerRuntime(store, starter, async id =>
        {
            if (Interlocked.Exchange(ref pauseOnce, 0) == 1)
            {
                Assert.True(await store.SetFileWatchEnabledAsync(id, false, "test"));
            }
        });

        await scanner.ScanWatchAsync("paused", CancellationToken.None);
        Assert.Empty(await RunsAsync(h.Engine, "annotation"));

        var byHand = await scanner.ScanWatchNowAsync("paused", "operator", CancellationToken.None);
        var runId = Assert.Single(byHand!.RunsStarted);
        var run = Assert.Single(await RunsAsync(h.Engine, "annotation"));
        Assert.Equal(runId, run.Id);
        Assert.StartsWith("late.json@", run.TriggerDetail, StringComparison.Ordinal);
    }

    private sealed class NoSteps : Engine.Runtime.IStepScheduler
    {
        public Task ScheduleAsync(IReadOnlyCollection<Engine.Runtime.ReadyStep> steps, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
