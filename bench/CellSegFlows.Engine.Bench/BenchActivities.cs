using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Bench;

/// <summary>Does nothing: what is measured is the engine around it.</summary>
[Activity("bench.Noop", Description = "No-op.")]
internal sealed class NoopActivity : Activity<NoopActivity.Input, NoopActivity.Output>
{
    internal sealed record Input(long Value = 0, IReadOnlyList<long>? Values = null);

    internal sealed record Output(long Value);

    protected override Task<Output> ExecuteAsync(Input input, ActivityContext context) => Task.FromResult(new Output(input.Value + 1));
}

/// <summary>Waits until cancelled or the time is up: a step that is surely running when the failover bench kills its worker.</summary>
[Activity("bench.Sleep", Description = "Sleeps.")]
internal sealed class SleepActivity : Activity<SleepActivity.Input, SleepActivity.Output>
{
    internal sealed record Input(int Milliseconds);

    internal sealed record Output(int Slept);

    protected override async Task<Output> ExecuteAsync(Input input, ActivityContext context)
    {
        await Task.Delay(input.Milliseconds, context.CancellationToken).ConfigureAwait(false);
        return new Output(input.Milliseconds);
    }
}

/// <summary>The activities every bench engine registers, in the bench process and in its worker processes alike.</summary>
internal static class BenchActivities
{
    public static ActivityRegistry Registry() => new ActivityRegistry().Add(typeof(NoopActivity)).Add(typeof(SleepActivity));
}
