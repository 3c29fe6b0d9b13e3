using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Runtime;
using CellSegFlows.Engine.Triggers;
using static CellSegFlows.Engine.Tests.Triggers.TriggerTestKit;

namespace CellSegFlows.Engine.Tests.Triggers;

public sealed class ScheduleTests
{
    [Fact]
    public async Task An_every_second_schedule_starts_cron_runs_naming_the_schedule_until_it_is_removed()
    {
        await using var h = await EngineHarness.StartAsync();
        var workflow = QuickWorkflow(h.Home);

        var added = await h.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("tick", workflow, "* * * * * ?"));
        Assert.NotNull(added.NextFireTime);
        Assert.InRange(added.NextFireTime!.Value, DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(2));
        await EventuallyAsync(async () => (await RunsAsync(h.Engine, "tick")).Count >= 2, TimeSpan.FromSeconds(10), "two cron runs");

        var listed = Assert.Single(await h.Engine.Triggers.ListSchedulesAsync());
        Assert.Equal("tick", listed.Schedule.Id);
        Assert.NotNull(listed.NextFireTime);
        Assert.Equal(FiringOutcome.Started, listed.LastFiring?.Outcome);

        Assert.True(await h.Engine.Triggers.RemoveScheduleAsync("tick"));
        var runs = await RunsAsync(h.Engine, "tick");
        Assert.All(runs, r =>
        {
            Assert.Equal("cron", r.Trigger);
            Assert.StartsWith("tick@", r.TriggerDetail);
            Assert.Equal("schedule:tick", r.StartedBy);
        });
        Assert.Equal(runs.Count, runs.Select(r => r.TriggerDetail).Distinct().Count()); // one run per fire time

        await Task.Delay(2000);
        Assert.Equal(runs.Count, (await RunsAsync(h.Engine, "tick")).Count);
        Assert.Empty(await h.Engine.Triggers.ListSchedulesAsync());
        Assert.False(await h.Engine.Triggers.RemoveScheduleAsync("tick"));
        var firings = await h.Engine.Triggers.ListFiringsAsync(TriggerStore.ScheduleKind, "tick");
        Assert.Equal(runs.Select(r => r.Id).Order(), firings.Where(f => f.Outcome == FiringOutcome.Started).Select(f => f.RunId!).Order());
    }

    [Fact]
    public async Task A_schedule_starts_no_second_run_while_its_run_is_running_and_records_the_skipped_firings()
    {
        await using var h = await EngineHarness.StartAsync();
        var workflow = SleepWorkflow(h.Home, 2500);

        await h.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("slow", workflow, "* * * * * ?"));
        await EventuallyAsync(async () => (await RunsAsync(h.Engine, "slow")).Count >= 2, TimeSpan.FromSeconds(15), "a second run after the first finished");
        await h.Engine.Triggers.RemoveScheduleAsync("slow");

        var runs = await RunsAsync(h.Engine, "slow");
        var first = runs[0];
        Assert.NotNull(first.FinishedAt);
        Assert.True(runs[1].CreatedAt >= first.FinishedAt, $"second run created {runs[1].CreatedAt:O} before the first finished {first.FinishedAt:O}");

        var firings = await h.Engine.Triggers.ListFiringsAsync(TriggerStore.ScheduleKind, "slow", limit: 100);
        var skipped = firings.Where(f => f.Outcome == FiringOutcome.SkippedOverlap).ToList();
        Assert.True(skipped.Count >= 1, "expected skipped firings while the 2.5 s run ran");
        Assert.All(skipped, f =>
        {
            Assert.Null(f.RunId);
            Assert.Contains($"run {first.Id} of this schedule is still running", f.Message);
        });
    }

    [Fact]
    public async Task A_firing_runs_the_workflow_file_as_it_is_now_and_the_snapshot_when_the_file_is_gone()
    {
        await using var h = await EngineHarness.StartAsync();
        var workflow = QuickWorkflow(h.Home, "edited");
        var added = await h.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("every", workflow, "* * * * * ?"));
        var snapshotHash = added.Schedule.DefinitionHash;

        // Edited after the schedule was saved: firings pick up the edit; then the file goes away.
        File.WriteAllText(workflow, """{ "id": "edited", "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": 2 } } ] }""");
        await EventuallyAsync(async () => (await RunsAsync(h.Engine, "edited")).Any(r => r.DefinitionHash != snapshotHash), TimeSpan.FromSeconds(10), "a run of the edited file");
        File.Delete(workflow);
        await EventuallyAsync(
            async () => (await h.Engine.Triggers.ListFiringsAsync(TriggerStore.ScheduleKind, "every")).Any(f => f.Message?.Contains("is gone; ran the snapshot", StringComparison.Ordinal) == true),
            TimeSpan.FromSeconds(10),
            "a firing from the snapshot");
        await h.Engine.Triggers.RemoveScheduleAsync("every");

        var fromSnapshot = (await h.Engine.Triggers.ListFiringsAsync(TriggerStore.ScheduleKind, "every")).First(f => f.Message?.Contains("snapshot", StringComparison.Ordinal) == true);
        Assert.Equal(FiringOutcome.Started, fromSnapshot.Outcome);
        var run = (await h.Engine.Runs.SnapshotAsync(fromSnapshot.RunId!)).Run;
        Assert.Equal(snapshotHash, run.DefinitionHash);
        Assert.All(await RunsAsync(h.Engine, "edited"), r => Assert.NotEqual(RunStatus.Failed, r.Status));
    }

    [Fact]
    public async Task A_firing_whose_workflow_file_became_invalid_is_recorded_as_failed_and_starts_nothing()
    {
        await using var h = await EngineHarness.StartAsync();
        var workflow = QuickWorkflow(h.Home, "broken");
        await h.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("broken", workflow, "* * * * * ?"));
        File.WriteAllText(workflow, """{ "id": "broken", "nodes": [ { "id": "c", "activity": "NoSuchActivity", "inputs": {} } ] }""");
        await EventuallyAsync(
            async () => (await h.Engine.Triggers.ListFiringsAsync(TriggerStore.ScheduleKind, "broken")).Any(f => f.Outcome == FiringOutcome.Failed),
            TimeSpan.FromSeconds(10),
            "a failed firing");
        await h.Engine.Triggers.RemoveScheduleAsync("broken");

        var failed = (await h.Engine.Triggers.ListFiringsAsync(TriggerStore.ScheduleKind, "broken")).First(f => f.Outcome == FiringOutcome.Failed);
        Assert.Null(failed.RunId);
        Assert.Contains(workflow, failed.Message, StringComparison.Ordinal);
        Assert.Contains("NoSuchActivity", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schedule_saved_by_another_process_is_picked_up_by_a_running_engine()
    {
        await using var h = await EngineHarness.StartAsync(configure: o => o with { TriggerSyncInterval = TimeSpan.FromMilliseconds(200) });
        var workflow = QuickWorkflow(h.Home, "outside");

        // What the command line does: write the record only, with no scheduler of its own.
        var store = new TriggerStore(RunStoreOptions.Sqlite(Path.Combine(h.Home, "runs.db")), EngineHarness.Registry());
        await store.AddScheduleAsync(new ScheduleSpec("outside", workflow, "* * * * * ?"), "cli");
        await EventuallyAsync(async () => (await RunsAsync(h.Engine, "outside")).Count >= 1, TimeSpan.FromSeconds(10), "a run of a schedule added outside the engine");

        Assert.True(await store.RemoveScheduleAsync("outside"));
        await Task.Delay(600); // a sync or two: the job goes
        var count = (await RunsAsync(h.Engine, "outside")).Count;
        await Task.Delay(1500);
        Assert.Equal(count, (await RunsAsync(h.Engine, "outside")).Count);
        Assert.Null((await h.Engine.Triggers.ListSchedulesAsync()).FirstOrDefault());
    }
}
