using System.Net;
using System.Net.Http.Json;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Triggers;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

public sealed class OperationsApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    [Fact]
    public async Task Workers_show_their_execution_groups_and_last_check_in()
    {
        using var viewer = await S.LoginAsync(Roles.Viewer);
        var workers = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/ops/workers"))).AsArray();
        var me = workers.Single(w => w!["name"].Str() == S.Engine.Options.WorkerName)!;
        Assert.True(me["alive"]!.GetValue<bool>());
        Assert.Equal(["cpu", "gpu"], me["queues"]!.AsArray().Select(q => q.Str()));
        Assert.True(DateTimeOffset.UtcNow - me["lastSeenAt"]!.GetValue<DateTimeOffset>() < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_draining_worker_is_listed_as_draining_until_it_stops()
    {
        // A server of its own: this one drains and stops, as `serve` does on SIGTERM.
        await using var server = await TestServer.StartAsync();
        await server.SaveAsync("""{ "id": "ops-drain", "nodes": [ { "id": "slow", "activity": "test.Sleep", "inputs": { "milliseconds": 3000, "key": "ops-drain" }, "cache": false } ] }""");
        using var key = server.WithKey();
        var runId = (await TestServer.ReadJsonAsync(await key.PostAsJsonAsync("api/runs", new { workflowId = "ops-drain" })))["runId"].Str();
        using var viewer = await server.LoginAsync(Roles.Viewer);
        async Task<System.Text.Json.Nodes.JsonNode> MeAsync() =>
            (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/ops/workers"))).AsArray().Single(w => w!["name"].Str() == server.Engine.Options.WorkerName)!;
        var before = await MeAsync();
        Assert.False(before["draining"]!.GetValue<bool>());
        Assert.Null(before["drainRequestedAt"]);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await server.Engine.Runs.SnapshotAsync(runId, limit.Token)).Steps.All(st => st.Status != Engine.Store.StepStatus.Running))
        {
            await Task.Delay(50, limit.Token);
        }

        var asked = DateTimeOffset.UtcNow;
        var drain = server.Engine.DrainAsync(TimeSpan.FromSeconds(60));
        var during = await MeAsync();
        while (!during["draining"]!.GetValue<bool>() && !drain.IsCompleted)
        {
            // DrainAsync records the drain after Quartz's standby, so the first look may come before it.
            await Task.Delay(20, limit.Token);
            during = await MeAsync();
        }

        Assert.True(during["draining"]!.GetValue<bool>(), during.ToJsonString());
        Assert.True(during["alive"]!.GetValue<bool>());
        Assert.Equal(1, during["runningSteps"]!.GetValue<int>());
        Assert.InRange(during["drainRequestedAt"]!.GetValue<DateTimeOffset>(), asked.AddSeconds(-1), DateTimeOffset.UtcNow);

        // The running step finished during the drain; then the worker stopped and is no longer draining.
        Assert.Equal(new DrainResult(1, 0), await drain);
        var after = await MeAsync();
        Assert.False(after["draining"]!.GetValue<bool>());
        Assert.False(after["alive"]!.GetValue<bool>());
        Assert.NotNull(after["stoppedAt"]);
        Assert.Equal(during["drainRequestedAt"]!.GetValue<DateTimeOffset>(), after["drainRequestedAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Schedules_list_their_next_fire_time_and_an_operator_pauses_and_resumes_them()
    {
        var file = Path.Combine(S.Home, "nightly.json");
        await File.WriteAllTextAsync(file, """{ "id": "ops-nightly", "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": 1 } } ] }""");
        await S.Engine.Triggers.AddScheduleAsync(new ScheduleSpec("ops-nightly", file, "0 0 3 * * ?"));

        using var viewer = await S.LoginAsync(Roles.Viewer);
        var schedule = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/ops/schedules"))).AsArray().Single(s => s!["id"].Str() == "ops-nightly")!;
        Assert.True(schedule["enabled"]!.GetValue<bool>());
        Assert.Equal(3, schedule["nextFireTime"]!.GetValue<DateTimeOffset>().ToLocalTime().Hour);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("api/ops/schedules/ops-nightly/pause", null)).StatusCode);

        using var op = await S.LoginAsync(Roles.Operator);
        var paused = await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/schedules/ops-nightly/pause", null));
        Assert.False(paused["enabled"]!.GetValue<bool>());
        Assert.Null(paused["nextFireTime"]);
        var resumed = await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/schedules/ops-nightly/resume", null));
        Assert.True(resumed["enabled"]!.GetValue<bool>());
        Assert.NotNull(resumed["nextFireTime"]);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsync("api/ops/schedules/nope/pause", null)).StatusCode);
    }

    [Fact]
    public async Task Pausing_the_scheduler_holds_new_steps_until_it_resumes_and_active_steps_are_listed()
    {
        await S.SaveAsync("""{ "id": "ops-pause", "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": 5 } } ] }""");
        using var op = await S.LoginAsync(Roles.Operator);
        Assert.True((await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/scheduler/pause", null)))["paused"]!.GetValue<bool>());
        try
        {
            var runId = (await TestServer.ReadJsonAsync(await op.PostAsync("api/runs", TestServer.Json("""{ "workflowId": "ops-pause" }"""))))["runId"].Str();
            await Task.Delay(1500);
            var steps = (await TestServer.ReadJsonAsync(await op.GetAsync("api/ops/steps"))).AsArray();
            var waiting = steps.Single(s => s!["runId"].Str() == runId)!;
            Assert.Equal("Scheduled", waiting["status"].Str());
            Assert.Equal("ops-pause", waiting["workflowId"].Str());
        }
        finally
        {
            Assert.False((await TestServer.ReadJsonAsync(await op.PostAsync("api/ops/scheduler/resume", null)))["paused"]!.GetValue<bool>());
        }

        var last = (await TestServer.ReadJsonAsync(await op.GetAsync("api/runs?workflow=ops-pause"))).AsArray().Single()!["id"].Str();
        Assert.Equal("Succeeded", (await S.WaitForRunAsync(op, last))["run"]!["status"].Str());
    }
}
