using System.Text.Json.Nodes;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Tests.Triggers;

/// <summary>Workflow files and waiting helpers for the trigger tests.</summary>
internal static class TriggerTestKit
{
    /// <summary>A workflow that returns a constant, counting its call under <paramref name="key"/> (or the step id).</summary>
    public static string QuickWorkflow(string folder, string id = "tick")
    {
        var path = Path.Combine(folder, $"{id}.json");
        File.WriteAllText(path, $$"""
            { "id": "{{id}}", "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": 1 } } ] }
            """);
        return path;
    }

    /// <summary>A workflow that sleeps.</summary>
    public static string SleepWorkflow(string folder, int milliseconds)
    {
        var path = Path.Combine(folder, "slow.json");
        File.WriteAllText(path, $$"""
            { "id": "slow", "nodes": [ { "id": "sleep", "activity": "test.Sleep", "inputs": { "milliseconds": {{milliseconds}} } } ] }
            """);
        return path;
    }

    /// <summary>A workflow with a string parameter <c>file</c>; its step (not cached) counts a call under the file's path.</summary>
    public static string FileWorkflow(string folder)
    {
        var path = Path.Combine(folder, "annotation.json");
        File.WriteAllText(path, """
            {
              "id": "annotation",
              "parameters": { "file": { "type": "string" }, "label": { "type": "string", "default": "none" } },
              "nodes": [ { "id": "take", "activity": "test.Constant", "inputs": { "value": 7, "key": "${params.file}" }, "cache": false } ]
            }
            """);
        return path;
    }

    public static async Task<IReadOnlyList<RunRecord>> RunsAsync(WorkflowEngine engine, string workflowId) =>
        (await engine.Runs.ListAsync(workflowId, limit: 1000)).OrderBy(r => r.CreatedAt).ToList();

    public static string Parameter(RunRecord run, string name) => JsonNode.Parse(run.ParametersJson)![name]!.GetValue<string>();

    /// <summary>Polls until the condition holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(100);
        }
    }
}
