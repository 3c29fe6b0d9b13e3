using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.TestHost;

namespace CellSegFlows.Engine.Tests.Runtime;

/// <summary>A real engine (SQLite run store, SQLite Quartz store) in a fresh temporary home.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private EngineHarness(string home, WorkflowEngine engine)
    {
        Home = home;
        Engine = engine;
    }

    public string Home { get; }

    public WorkflowEngine Engine { get; }

    public static ActivityRegistry Registry() => new ActivityRegistry().AddFrom(typeof(ConstantActivity).Assembly).TreatAsInputError<BadDataException>();

    public static async Task<EngineHarness> StartAsync(string? home = null, Func<EngineOptions, EngineOptions>? configure = null)
    {
        home ??= TestPaths.NewTempFolder();
        var options = new EngineOptions { Home = home, Threads = 4 };
        var engine = await WorkflowEngine.StartAsync(configure is null ? options : configure(options), Registry());
        return new EngineHarness(home, engine);
    }

    /// <summary>Starts a run of the workflow JSON and waits (at most 60 s) for its end.</summary>
    public async Task<RunDetail> RunAsync(string json, params (string Name, string Value)[] parameters)
    {
        var runId = await Engine.StartRunAsync(json, "test.json", parameters.ToDictionary(p => p.Name, p => p.Value));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Engine.WaitForRunAsync(runId, null, timeout.Token);
        return await Engine.Runs.DetailAsync(runId);
    }

    public async ValueTask DisposeAsync() => await Engine.DisposeAsync();
}

internal static class RunDetailExtensions
{
    public static StepRecord Step(this RunDetail run, string stepSuffix) =>
        run.Steps.Single(s => s.Id == $"{run.Run.Id}/{stepSuffix}");

    public static IEnumerable<StepEventRecord> EventsOf(this RunDetail run, string stepSuffix) =>
        run.Events.Where(e => e.StepId == $"{run.Run.Id}/{stepSuffix}");
}
