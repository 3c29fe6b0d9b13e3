using System.Text.Json.Nodes;
using CellSegFlows.Engine.Store;

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
        Assert.Contains(run.EventsOf("gpu"), e => e.Kind == "log" && e.Message!.Contains("device cuda:1 (gpu queue", StringComparison.Ordinal));
        Assert.DoesNotContain(run.EventsOf("cpu"), e => e.Message?.Contains("device ", StringComparison.Ordinal) == true);
    }
}
