using CellSegFlows.Engine.Runtime;
using Quartz;

namespace CellSegFlows.Engine.Hosting;

/// <summary>
/// Breaks the construction cycle executor → scheduler → executor: the executor and the run starter get this
/// step scheduler before the Quartz scheduler exists, and the engine hands it the scheduler once built.
/// </summary>
internal sealed class DeferredStepScheduler : IStepScheduler
{
    /// <summary>The Quartz scheduler, set once it is built.</summary>
    public IScheduler? Scheduler { get; set; }

    public Task ScheduleAsync(IReadOnlyCollection<ReadyStep> steps, CancellationToken cancellationToken) =>
        steps.Count == 0
            ? Task.CompletedTask
            : new QuartzStepScheduler(Scheduler ?? throw new InvalidOperationException("scheduler not started")).ScheduleAsync(steps, cancellationToken);
}
