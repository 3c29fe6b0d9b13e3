using System.Text.Json.Nodes;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.TestHost;

namespace CellSegFlows.Engine.Tests.Runtime;

/// <summary>The worker's device goes to its gpu queue's steps only, and the journal names it (a fake device name: no GPU here).</summary>
public sealed class DeviceTests
{
    [Fact]
    public async Task Gpu_queue_steps_get_the_workers_device_and_cpu_queue_steps_the_cpu()
    {
        await using var h = await EngineHarness.StartAsync(configure: o => o with { Device = "cuda:1" });
        var run = await h.RunAsync("""
            {
              "id": "devices",
              "nodes": [
                { "id": "gpu", "activity": "test.WhichDevice", "queue": "gpu", "cache": false },
                { "id": "cpu", "activity": "test.WhichDevice", "inputs": { "tag": "${nodes.gpu.device}" }, "cache": false }
              ],
              "outputs": { "gpu": "${nodes.gpu.device}", "cpu": "${nodes.cpu.device}" }
            }
            """);
        Assert.True(run.Run.Status == RunStatus.Succeeded, run.Run.Error);
        var outputs = JsonNode.Parse(run.Run.OutputsJson!)!;
        Assert.Equal("cuda:1", outputs["gpu"]!.GetValue<string>());
        Assert.Equal("cpu", outputs["cpu"]!.GetValue<string>());
        Assert.Contains(run.EventsOf("gpu"), e => e.Kind == "log" && e.Message!.Contains("device cuda:1 (gpu queue", StringComparison.Ordinal) && e.Message.Contains("exclusive lease", StringComparison.Ordinal));
        Assert.DoesNotContain(run.EventsOf("cpu"), e => e.Message?.Contains("device ", StringComparison.Ordinal) == true);
    }

    private static string Map(string activity, int count, int milliseconds, string key) => $$"""
        {
          "id": "leases",
          "nodes": [
            { "id": "range", "activity": "test.Range", "inputs": { "count": {{count}} } },
            { "id": "hold", "activity": "{{activity}}", "map": { "over": "${nodes.range.values}" },
              "inputs": { "milliseconds": {{milliseconds}}, "key": "{{key}}", "index": "${item}" }, "cache": false }
          ]
        }
        """;

    [Fact]
    public async Task Each_gpu_step_leases_a_device_of_its_own_and_two_devices_run_two_steps_side_by_side()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var h = await EngineHarness.StartAsync(configure: o => o with { GpuDevices = ["cuda:0", "cuda:1"] });
        var run = await h.RunAsync(Map("test.HoldDevice", 4, 800, key));
        Assert.True(run.Run.Status == RunStatus.Succeeded, run.Run.Error);
        var used = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            var line = Assert.Single(run.EventsOf($"hold[{i}]"), e => e.Kind == "log" && e.Message!.Contains("device cuda:", StringComparison.Ordinal));
            Assert.Matches(@"device (cuda:[01]) \(gpu queue, worker .+, exclusive lease\)$", line.Message!);
            used.Add(System.Text.RegularExpressions.Regex.Match(line.Message!, "device (cuda:[01])").Groups[1].Value);
        }

        // Steps one after another would all take cuda:0 (the first idle device): both in use means side by side.
        Assert.Equal(["cuda:0", "cuda:1"], used.Order());
        Assert.Equal(1, DeviceHolds.PeakOf(key, "cuda:0"));
        Assert.Equal(1, DeviceHolds.PeakOf(key, "cuda:1"));
    }

    [Fact]
    public async Task With_more_slots_than_devices_steps_that_do_not_share_still_hold_the_device_alone()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var h = await EngineHarness.StartAsync(configure: o => o with { GpuDevices = ["cuda:0"], GpuSlots = 3 });
        var run = await h.RunAsync(Map("test.HoldDevice", 3, 300, key));
        Assert.True(run.Run.Status == RunStatus.Succeeded, run.Run.Error);
        Assert.Equal(1, DeviceHolds.PeakOf(key, "cuda:0"));
    }

    [Fact]
    public async Task Activities_that_share_a_device_run_beside_each_other_on_it_and_the_journal_says_so()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var h = await EngineHarness.StartAsync(configure: o => o with { GpuDevices = ["cuda:0"], GpuSlots = 3 });
        var run = await h.RunAsync(Map("test.ShareDevice", 3, 1500, key));
        Assert.True(run.Run.Status == RunStatus.Succeeded, run.Run.Error);
        Assert.InRange(DeviceHolds.PeakOf(key, "cuda:0"), 2, 3);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Contains(run.EventsOf($"hold[{i}]"), e => e.Message?.Contains("device cuda:0 (gpu queue", StringComparison.Ordinal) == true && e.Message.Contains("shared lease", StringComparison.Ordinal)));
    }
}
