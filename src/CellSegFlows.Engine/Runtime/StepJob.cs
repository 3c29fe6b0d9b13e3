using Quartz;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// The Quartz job that runs one step. Quartz gives durability (a crashed worker's job is recovered
/// with <c>Recovering = true</c>) and routing (execution groups cpu/gpu); everything else — attempts,
/// retries, the journal — is the engine's, so the job never asks Quartz to refire.
/// </summary>
internal sealed class StepJob(StepExecutor executor) : IJob
{
    public const string RunIdKey = "runId";
    public const string StepIdKey = "stepId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var stepId = context.MergedJobDataMap.GetString(StepIdKey) ?? throw new JobExecutionException("step job without a step id");
        var runId = context.MergedJobDataMap.GetString(RunIdKey) ?? throw new JobExecutionException("step job without a run id");
        await executor.ExecuteCountedAsync(runId, stepId, context.Recovering, cancellationToken).ConfigureAwait(false);
    }
}
