using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Tests.Runtime;
using CellSegFlows.Engine.Triggers;
using static CellSegFlows.Engine.Tests.Triggers.TriggerTestKit;

namespace CellSegFlows.Engine.Tests.Triggers;

public sealed class TriggerValidationTests
{
    private static async Task<(TriggerStore Store, string Folder)> StoreAsync()
    {
        var folder = TestPaths.NewTempFolder();
        var options = RunStoreOptions.Sqlite(Path.Combine(folder, "runs.db"));
        await options.MigrateAsync();
        return (new TriggerStore(options, EngineHarness.Registry()), folder);
    }

    private static async Task<TriggerDefinitionException> FailsAsync(Func<Task> add, string field, params string[] texts)
    {
        var ex = await Assert.ThrowsAsync<TriggerDefinitionException>(add);
        Assert.Equal(field, ex.Field);
        foreach (var text in texts)
        {
            Assert.Contains(text, ex.Message, StringComparison.Ordinal);
        }

        return ex;
    }

    [Theory]
    [InlineData("0 0 3 * *")]         // crontab's five fields: Quartz wants seconds first
    [InlineData("61 * * * * ?")]
    [InlineData("every night")]
    [InlineData("")]
    public async Task A_bad_cron_expression_is_refused_naming_the_field(string cron)
    {
        var (store, folder) = await StoreAsync();
        await FailsAsync(() => store.AddScheduleAsync(new ScheduleSpec("nightly", QuickWorkflow(folder), cron)), "cron", "schedule 'nightly': cron:");
        Assert.Empty(await store.ListSchedulesAsync());
    }

    [Fact]
    public async Task A_missing_or_invalid_workflow_file_is_refused_with_its_problems()
    {
        var (store, folder) = await StoreAsync();
        var missing = Path.Combine(folder, "nope.json");
        await FailsAsync(() => store.AddScheduleAsync(new ScheduleSpec("s", missing, "0 0 3 * * ?")), "workflow", "schedule 's': workflow: workflow file not found", missing);

        var invalid = Path.Combine(folder, "invalid.json");
        await File.WriteAllTextAsync(invalid, """{ "id": "bad", "nodes": [ { "id": "a", "activity": "NoSuchActivity", "inputs": {} } ] }""");
        var ex = await FailsAsync(() => store.AddScheduleAsync(new ScheduleSpec("s", invalid, "0 0 3 * * ?")), "workflow", "is not a valid workflow", "NoSuchActivity");
        Assert.NotEmpty(ex.Problems);

        var broken = Path.Combine(folder, "broken.json");
        await File.WriteAllTextAsync(broken, "{ \"id\": ");
        await FailsAsync(() => store.AddFileWatchAsync(new FileWatchSpec("w", broken, folder, "file")), "workflow", "watch 'w': workflow:", "line");
        Assert.Empty(await store.ListSchedulesAsync());
        Assert.Empty(await store.ListFileWatchesAsync());
    }

    [Fact]
    public async Task Ids_parameters_folders_and_durations_are_checked()
    {
        var (store, folder) = await StoreAsync();
        var quick = QuickWorkflow(folder);
        var files = FileWorkflow(folder);
        await FailsAsync(() => store.AddScheduleAsync(new ScheduleSpec("9 lives", quick, "0 0 3 * * ?")), "id", "schedule '9 lives': id:");
        await FailsAsync(() => store.AddScheduleAsync(new ScheduleSpec("s", quick, "0 0 3 * * ?") { Parameters = new Dictionary<string, string> { ["colour"] = "red" } }), "parameters", "colour");
        await FailsAsync(() => store.AddScheduleAsync(new ScheduleSpec("s", files, "0 0 3 * * ?")), "parameters", "file"); // required, not given

        await FailsAsync(() => store.AddFileWatchAsync(new FileWatchSpec("w", files, Path.Combine(folder, "absent"), "file")), "folder", "folder not found");
        await FailsAsync(() => store.AddFileWatchAsync(new FileWatchSpec("w", files, folder, "path")), "parameterName", "has no parameter 'path'", "file, label");
        await FailsAsync(() => store.AddFileWatchAsync(new FileWatchSpec("w", quick, folder, "file")), "parameterName", "(it has: none)");
        await FailsAsync(() => store.AddFileWatchAsync(new FileWatchSpec("w", files, folder, "file") { Glob = "sub/*.json" }), "glob", "sub/*.json");
        await FailsAsync(() => store.AddFileWatchAsync(new FileWatchSpec("w", files, folder, "file") { PollInterval = TimeSpan.FromMilliseconds(10) }), "pollInterval");
        await FailsAsync(() => store.AddFileWatchAsync(new FileWatchSpec("w", files, folder, "file") { Parameters = new Dictionary<string, string> { ["file"] = "x" } }), "parameters", "cannot also be given");

        var intParam = Path.Combine(folder, "int.json");
        await File.WriteAllTextAsync(intParam, """{ "id": "n", "parameters": { "count": { "type": "int" } }, "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": "${params.count}" } } ] }""");
        await FailsAsync(() => store.AddFileWatchAsync(new FileWatchSpec("w", intParam, folder, "count")), "parameterName", "is int");
    }

    [Fact]
    public async Task Adding_again_with_the_same_id_updates_the_trigger()
    {
        var (store, folder) = await StoreAsync();
        var quick = QuickWorkflow(folder);
        var first = await store.AddScheduleAsync(new ScheduleSpec("s", quick, "0 0 3 * * ?"), "ada");
        var second = await store.AddScheduleAsync(new ScheduleSpec("s", quick, "0 30 4 * * ?") { Misfire = MisfirePolicy.FireOnce, AllowOverlap = true }, "grace");
        Assert.True(first.Created);
        Assert.False(second.Created);
        var s = Assert.Single(await store.ListSchedulesAsync());
        Assert.Equal("0 30 4 * * ?", s.Schedule.Cron);
        Assert.Equal(MisfirePolicy.FireOnce, s.Schedule.Misfire);
        Assert.True(s.Schedule.AllowOverlap);
        Assert.Equal("ada", s.Schedule.CreatedBy);
        Assert.Equal(4, s.NextFireTime!.Value.ToLocalTime().Hour);
    }

    [Fact]
    public async Task A_triggers_file_adds_or_updates_by_id_at_engine_start_and_names_the_field_of_a_mistake()
    {
        var home = TestPaths.NewTempFolder();
        Directory.CreateDirectory(Path.Combine(home, "incoming"));
        QuickWorkflow(home, "nightly");
        FileWorkflow(home);
        var file = Path.Combine(home, "triggers.json");
        await File.WriteAllTextAsync(file, """
            {
              // comments are fine
              "schedules": [ { "id": "nightly", "workflow": "nightly.json", "cron": "0 0 3 * * ?", "misfire": "fire-once" } ],
              "watches": [ { "id": "incoming", "workflow": "annotation.json", "folder": "incoming", "parameterName": "file",
                             "parameters": { "label": "from-file" }, "settle": "1s", "pollInterval": "500ms" } ],
            }
            """);

        await using (var h = await EngineHarness.StartAsync(home, o => o with { TriggersFile = file }))
        {
            var schedule = Assert.Single(await h.Engine.Triggers.ListSchedulesAsync());
            Assert.Equal(MisfirePolicy.FireOnce, schedule.Schedule.Misfire);
            Assert.Equal(Path.Combine(home, "nightly.json"), schedule.Schedule.WorkflowPath);
            Assert.NotNull(schedule.NextFireTime);
            var watch = Assert.Single(await h.Engine.Triggers.ListFileWatchesAsync()).Watch;
            Assert.Equal(Path.Combine(home, "incoming"), watch.Folder);
            Assert.Equal(TimeSpan.FromSeconds(1), watch.Settle);
            Assert.Equal(TimeSpan.FromMilliseconds(500), watch.PollInterval);
            Assert.Equal("*.json", watch.Glob);

            var again = await h.Engine.Triggers.ApplyFileAsync(file);
            Assert.False(Assert.Single(again.Schedules).Created);
            Assert.False(Assert.Single(again.Watches).Created);
        }

        await File.WriteAllTextAsync(file, """{ "schedules": [ { "id": "nightly", "workflow": "nightly.json", "cron": "0 0 3 * *" } ] }""");
        var ex = await Assert.ThrowsAsync<TriggerDefinitionException>(() => EngineHarness.StartAsync(home, o => o with { TriggersFile = file }));
        Assert.Equal("schedules[0].cron", ex.Field);
        Assert.Contains("triggers.json schedules[0] (schedule 'nightly')", ex.Message, StringComparison.Ordinal);

        await File.WriteAllTextAsync(file, """{ "watches": [ { "id": "w", "workflow": "annotation.json", "folder": ".", "parameterName": "file", "setle": "1s" } ] }""");
        ex = await Assert.ThrowsAsync<TriggerDefinitionException>(() => EngineHarness.StartAsync(home, o => o with { TriggersFile = file }));
        Assert.Equal("watches[0].setle", ex.Field);
    }
}
