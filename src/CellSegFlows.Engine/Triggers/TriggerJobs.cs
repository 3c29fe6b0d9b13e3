using Quartz;

namespace CellSegFlows.Engine.Triggers;

/// <summary>
/// The Quartz job of one schedule: a durable job with a cron trigger. <see cref="DisallowConcurrentExecutionAttribute"/>
/// holds per job key, which is why each schedule has a job of its own: two firings of one schedule never
/// decide about overlap at the same time, on one node or across a cluster.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class ScheduleFiringJob(TriggerRuntime runtime) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var id = context.MergedJobDataMap.GetString(TriggerSync.IdKey) ?? throw new JobExecutionException("schedule job without a schedule id");
        await runtime.FireScheduleAsync(id, context.ScheduledFireTimeUtc ?? context.FireTimeUtc, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The Quartz job of one folder watch: a durable job with a repeating trigger; one scan at a time.</summary>
[DisallowConcurrentExecution]
internal sealed class FileWatchJob(TriggerRuntime runtime) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var id = context.MergedJobDataMap.GetString(TriggerSync.IdKey) ?? throw new JobExecutionException("watch job without a watch id");
        await runtime.ScanWatchAsync(id, cancellationToken).ConfigureAwait(false);
    }
}
