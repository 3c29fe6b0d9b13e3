namespace CellSegFlows.Engine.Runtime;

/// <summary>A step that is ready to run: where its job goes.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="StepId">Step id (also the basis of the job key, so scheduling twice is harmless).</param>
/// <param name="Queue">Execution group: cpu or gpu.</param>
public sealed record ReadyStep(string RunId, string StepId, string Queue);

/// <summary>Turns ready steps into durable jobs (Quartz in production).</summary>
public interface IStepScheduler
{
    /// <summary>Schedules each step once; a step that already has a job is left alone.</summary>
    Task ScheduleAsync(IReadOnlyCollection<ReadyStep> steps, CancellationToken cancellationToken);
}
