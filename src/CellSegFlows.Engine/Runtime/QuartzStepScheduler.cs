using Quartz;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// Schedules steps as one-shot Quartz jobs with deterministic keys (<c>run/step</c>), recovery on,
/// no Quartz retries, routed to the step's queue as an execution group. Scheduling a step whose job
/// already exists is a no-op, so the reconciler and a completing step may both schedule it safely.
/// </summary>
internal sealed class QuartzStepScheduler(IScheduler scheduler) : IStepScheduler
{
    public const string JobGroup = "steps";

    /// <summary>
    /// How late a step's trigger may fire before Quartz calls it misfired. A step's misfire instruction is
    /// "fire now", which is what acquiring it does anyway, but a trigger past the store's threshold (5 s) is no
    /// longer acquired: it waits for the misfire handler, which re-times a few per pass. A fan-out of a
    /// thousand steps on two threads keeps most of them waiting longer than that, so the backlog went through
    /// the misfire handler instead of in order. A week: a step is never "too late" to run.
    /// </summary>
    private static readonly TimeSpan StepMisfireThreshold = TimeSpan.FromDays(7);

    public static JobKey KeyOf(string stepId) => new(stepId, JobGroup);

    public async Task ScheduleAsync(IReadOnlyCollection<ReadyStep> steps, CancellationToken cancellationToken)
    {
        if (steps.Count == 0)
        {
            return;
        }

        var jobs = steps.Select(Build).ToList();
        if (jobs.Count > 1)
        {
            // A fan-out schedules its branches in one store transaction instead of one each.
            try
            {
                var batch = jobs.ToDictionary(j => j.Job, j => (IReadOnlyCollection<ITrigger>)[j.Trigger]);
                await scheduler.ScheduleJobs(batch, default, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ObjectAlreadyExistsException)
            {
                // Some already exist (e.g. the reconciler): fall back to one by one, skipping those.
            }
        }

        foreach (var (job, trigger) in jobs)
        {
            try
            {
                await scheduler.ScheduleJob(job, trigger, default, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectAlreadyExistsException)
            {
                // Already scheduled or running: deterministic keys make the second call harmless.
            }
        }
    }

    private static (IJobDetail Job, ITrigger Trigger) Build(ReadyStep step)
    {
        var key = KeyOf(step.StepId);
        var job = JobBuilder.Create<StepJob>()
            .WithIdentity(key)
            .RequestRecovery(true)
            .StoreDurably(false)
            .UsingJobData(StepJob.RunIdKey, step.RunId)
            .UsingJobData(StepJob.StepIdKey, step.StepId)
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(key.Name, JobGroup)
            .ForJob(job)
            .StartNow()
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .WithMisfireThreshold(StepMisfireThreshold)
            .WithRetryPolicy(RetryPolicy.None)
            .WithExecutionGroup(step.Queue)
            .Build();
        return (job, trigger);
    }
}
