using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Runtime;
using CellSegFlows.Engine.Triggers;
using Microsoft.EntityFrameworkCore;
using static CellSegFlows.Engine.Tests.Triggers.TriggerTestKit;

namespace CellSegFlows.Engine.Tests.Triggers;

/// <summary>Schedules and watches that run a workflow definition stored in the run store instead of a file.</summary>
public sealed class DefinitionTriggerTests
{
    [Fact]
    public async Task A_definition_schedule_runs_the_latest_version_at_each_firing_and_a_pinned_one_its_own_version()
    {
        await using var h = await EngineHarness.StartAsync();
        var v1 = await StoreAsync(h.Engine, "stored", 1, DateTimeOffset.UtcNow.AddMinutes(-2));
        await h.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("latest", null, "0 0 3 * * ?") { Definition = "stored" });
        var pinned = await h.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("pinned", null, "0 0 3 * * ?") { Definition = "stored", PinnedVersion = v1[..10] });
        Assert.Null(pinned.Schedule.WorkflowPath);
        Assert.Equal(v1, pinned.Schedule.PinnedVersion); // a prefix is saved as the full hash

        var v2 = await StoreAsync(h.Engine, "stored", 2, DateTimeOffset.UtcNow);
        var latestRun = await FireAsync(h.Engine, "latest");
        var pinnedRun = await FireAsync(h.Engine, "pinned");
        Assert.Equal(v2, latestRun.DefinitionHash);
        Assert.Equal(v1, pinnedRun.DefinitionHash);
        Assert.Equal("manual", latestRun.Trigger);
        Assert.Equal("alice", latestRun.StartedBy);
        Assert.Equal("schedule latest, fired by alice", latestRun.TriggerDetail);

        var firing = Assert.Single(await h.Engine.Triggers.ListFiringsAsync(TriggerStore.ScheduleKind, "latest"));
        Assert.Equal(FiringOutcome.Started, firing.Outcome);
        Assert.Equal("alice", firing.FiredBy);
        Assert.Equal(latestRun.Id, firing.RunId);
    }

    [Fact]
    public async Task A_firing_of_a_definition_that_is_no_longer_stored_is_recorded_as_failed_with_the_reason()
    {
        await using var h = await EngineHarness.StartAsync();
        await StoreAsync(h.Engine, "doomed", 1, DateTimeOffset.UtcNow);
        await h.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("doomed-now", null, "0 0 3 * * ?") { Definition = "doomed" });
        await h.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("doomed-every", null, "* * * * * ?") { Definition = "doomed" });
        await h.Engine.Store.WriteAsync(async db =>
        {
            db.Definitions.RemoveRange(await db.Definitions.Where(d => d.WorkflowId == "doomed").ToListAsync());
            return true;
        });

        await EventuallyAsync(async () => (await h.Engine.Triggers.ListFiringsAsync(TriggerStore.ScheduleKind, "doomed-every")).Any(f => f.Outcome == FiringOutcome.Failed), TimeSpan.FromSeconds(30), "a failed firing");   // a once-a-second schedule: 30 s leaves room on a loaded 2-core machine
        await h.Engine.Triggers.RemoveScheduleAsync("doomed-every");
        var failed = (await h.Engine.Triggers.ListFiringsAsync(TriggerStore.ScheduleKind, "doomed-every")).First(f => f.Outcome == FiringOutcome.Failed);
        Assert.Equal("stored definition 'doomed' no longer exists: no version of it is in the run store", failed.Message);
        Assert.Null(failed.FiredBy);
        Assert.Empty(await RunsAsync(h.Engine, "doomed"));

        // Fired by hand, the same failure comes back to the caller, recorded with who fired it.
        var fired = await h.Engine.Triggers.FireScheduleNowAsync("doomed-now", "alice");
        Assert.Empty(fired!.RunsStarted);
        Assert.Equal((FiringOutcome.Failed, "alice"), (fired.Firing!.Outcome, fired.Firing.FiredBy));
        Assert.Contains("no longer exists", fired.Firing.Message);
    }

    [Fact]
    public async Task Editing_pausing_and_removing_a_definition_schedule_keeps_Quartz_in_step_at_once()
    {
        await using var h = await EngineHarness.StartAsync(configure: o => o with { TriggerSyncInterval = TimeSpan.FromHours(1) });
        await StoreAsync(h.Engine, "nightly-def", 1, DateTimeOffset.UtcNow);
        var added = await h.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("n", null, "0 0 3 * * ?") { Definition = "nightly-def" });
        Assert.Equal(3, added.NextFireTime!.Value.ToLocalTime().Hour);

        var edited = await h.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("n", null, "0 30 4 * * ?") { Definition = "nightly-def" }, "bob");
        Assert.Equal((4, 30), (edited.NextFireTime!.Value.ToLocalTime().Hour, edited.NextFireTime.Value.ToLocalTime().Minute));

        Assert.True(await h.Engine.Triggers.SetScheduleEnabledAsync("n", false, "bob"));
        Assert.Null(await QuartzNextAsync(h.Engine, "n"));
        Assert.True(await h.Engine.Triggers.SetScheduleEnabledAsync("n", true, "bob"));
        Assert.NotNull(await QuartzNextAsync(h.Engine, "n"));
        Assert.True(await h.Engine.Triggers.RemoveScheduleAsync("n", "bob"));
        Assert.Null(await QuartzNextAsync(h.Engine, "n"));

        await using var db = h.Engine.Store.CreateContext();
        var audit = await db.Audit.Where(a => a.Target == "n").OrderBy(a => a.Id).Select(a => a.Action + " " + a.Actor).ToListAsync();
        Assert.Equal(["schedule.pause bob", "schedule.resume bob", "schedule.remove bob"], audit.Where(a => !a.StartsWith("schedule.save", StringComparison.Ordinal)));
        Assert.Contains("schedule.save bob", audit);
    }

    [Fact]
    public async Task A_definition_watch_starts_each_file_on_the_latest_stored_version()
    {
        await using var h = await EngineHarness.StartAsync();
        var folder = Directory.CreateDirectory(Path.Combine(h.Home, "incoming")).FullName;
        var json = """
            { "id": "anno-def", "parameters": { "file": { "type": "string" } },
              "nodes": [ { "id": "take", "activity": "test.Constant", "inputs": { "value": 7, "key": "${params.file}" }, "cache": false } ] }
            """;
        var hash = await StoreJsonAsync(h.Engine, json, DateTimeOffset.UtcNow);
        await h.Engine.Triggers.AddFileWatchAsync(new FileWatchSpec("inbox", null, folder, "file") { Definition = "anno-def", Settle = TimeSpan.Zero, PollInterval = TimeSpan.FromMilliseconds(200) });
        // Settle is zero here, so a file is written elsewhere and moved in whole: a scan must not see it half-written
        // (an empty a.json, then "{}", would be two contents and two runs).
        async Task DropAsync(string name)
        {
            var temp = Path.Combine(h.Home, name + ".part");
            await File.WriteAllTextAsync(temp, "{}");
            File.Move(temp, Path.Combine(folder, name));
        }

        await DropAsync("a.json");

        await EventuallyAsync(async () => (await RunsAsync(h.Engine, "anno-def")).Count == 1, TimeSpan.FromSeconds(10), "a run for a.json");
        var run = Assert.Single(await RunsAsync(h.Engine, "anno-def"));
        Assert.Equal(hash, run.DefinitionHash);
        Assert.Equal(Path.Combine(folder, "a.json"), Parameter(run, "file"));

        // Paused, it is not scanned; scanned by hand, a new file starts its run and the firing names who scanned.
        Assert.True(await h.Engine.Triggers.SetFileWatchEnabledAsync("inbox", false, "carol"));

        await DropAsync("b.json");
        await Task.Delay(600);
        Assert.Single(await RunsAsync(h.Engine, "anno-def"));
        var scanned = await h.Engine.Triggers.ScanFileWatchNowAsync("inbox", "carol");
        var started = Assert.Single(scanned!.RunsStarted);
        Assert.Equal("carol", (await h.Engine.Triggers.ListFiringsAsync(TriggerStore.WatchKind, "inbox")).First(f => f.RunId == started).FiredBy);
        Assert.Null(await h.Engine.Triggers.ScanFileWatchNowAsync("nope", "carol"));
    }

    [Fact]
    public async Task A_trigger_names_a_file_or_a_stored_definition_and_each_mistake_names_its_field()
    {
        await using var h = await EngineHarness.StartAsync();
        var hash = await StoreAsync(h.Engine, "known", 1, DateTimeOffset.UtcNow);
        var file = QuickWorkflow(h.Home, "known");

        async Task<string> FieldOf(ScheduleSpec spec) => (await Assert.ThrowsAsync<TriggerDefinitionException>(() => h.Engine.Triggers.AddScheduleAsync(spec))).Field;
        Assert.Equal("definition", await FieldOf(new ScheduleSpec("s", null, "0 0 3 * * ?") { Definition = "unknown" }));
        Assert.Equal("definition", await FieldOf(new ScheduleSpec("s", file, "0 0 3 * * ?") { Definition = "known" }));
        Assert.Equal("workflow", await FieldOf(new ScheduleSpec("s", null, "0 0 3 * * ?")));
        Assert.Equal("pinnedVersion", await FieldOf(new ScheduleSpec("s", null, "0 0 3 * * ?") { Definition = "known", PinnedVersion = "abcdef0123" }));
        Assert.Equal("pinnedVersion", await FieldOf(new ScheduleSpec("s", null, "0 0 3 * * ?") { Definition = "known", PinnedVersion = "XYZ" }));
        Assert.Equal("pinnedVersion", await FieldOf(new ScheduleSpec("s", file, "0 0 3 * * ?") { PinnedVersion = hash }));
        Assert.Equal("parameters", await FieldOf(new ScheduleSpec("s", null, "0 0 3 * * ?") { Definition = "known", Parameters = new Dictionary<string, string> { ["nope"] = "1" } }));

        var times = TriggerStore.NextFireTimes("0 0 3 * * ?", 5);
        Assert.Equal(5, times.Count);
        Assert.All(times, t => Assert.Equal(3, t.ToLocalTime().Hour));
        Assert.Equal("cron", Assert.Throws<TriggerDefinitionException>(() => TriggerStore.NextFireTimes("0 3 * * *", 5)).Field);

        // A triggers file names a stored definition as "ID" or "ID@HASH".
        var triggers = Path.Combine(h.Home, "triggers.json");
        await File.WriteAllTextAsync(triggers, $$"""{ "schedules": [ { "id": "from-file", "definition": "known@{{hash[..12]}}", "cron": "0 0 3 * * ?" } ] }""");
        var applied = await h.Engine.Triggers.ApplyFileAsync(triggers);
        var record = Assert.Single(applied.Schedules).Record;
        Assert.Equal(("known", hash, null), (record.WorkflowId, record.PinnedVersion, record.WorkflowPath));
    }

    private static async Task<RunRecord> FireAsync(WorkflowEngine engine, string schedule)
    {
        var fired = await engine.Triggers.FireScheduleNowAsync(schedule, "alice");
        var runId = Assert.Single(fired!.RunsStarted);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = await engine.WaitForRunAsync(runId, null, timeout.Token);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        return run;
    }

    private static async Task<DateTimeOffset?> QuartzNextAsync(WorkflowEngine engine, string id) =>
        (await engine.Triggers.ListSchedulesAsync()).SingleOrDefault(s => s.Schedule.Id == id)?.NextFireTime;

    /// <summary>Stores a one-node definition of <paramref name="id"/> returning <paramref name="value"/>, as the studio saves one.</summary>
    private static Task<string> StoreAsync(WorkflowEngine engine, string id, int value, DateTimeOffset savedAt) =>
        StoreJsonAsync(engine, $$"""{ "id": "{{id}}", "version": {{value}}, "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": {{value}} } } ] }""", savedAt);

    private static async Task<string> StoreJsonAsync(WorkflowEngine engine, string json, DateTimeOffset savedAt)
    {
        var definition = WorkflowDefinitionReader.Parse(json, "test");
        var hash = DefinitionHash.Compute(definition);
        await engine.Store.WriteAsync(db =>
        {
            db.Definitions.Add(new DefinitionVersionRecord { Hash = hash, WorkflowId = definition.Id, VersionLabel = definition.Version, Json = WorkflowDefinitionWriter.ToJson(definition), SavedAt = savedAt, SavedBy = "test" });
            return Task.FromResult(true);
        });
        return hash;
    }
}
