using System.Globalization;
using CellSegFlows.Engine.Store;
using Quartz;

namespace CellSegFlows.Engine.Triggers;

/// <summary>
/// Keeps Quartz's jobs in step with the trigger records of the run store: one durable job and trigger per
/// enabled schedule (cron) and watch (repeating, interval measured from the end of the previous scan), in
/// the <c>triggers</c> execution group. A job carries the spec it was built from (cron and misfire policy, or
/// poll interval); a record whose spec differs gets its job replaced, a record without a job gets one, and a
/// job without an enabled record is deleted. Everything else (workflow, parameters, overlap) is read from
/// the record at each firing, so changing it needs no new job. Run at start, after each change through the
/// engine, and every <see cref="Hosting.EngineOptions.TriggerSyncInterval"/> to pick up changes made by other
/// processes (the command line).
/// </summary>
internal sealed class TriggerSync(IScheduler scheduler, TriggerStore store)
{
    public const string ScheduleGroup = "schedules";
    public const string WatchGroup = "watches";
    public const string ExecutionGroup = "triggers";
    public const string IdKey = "id";
    private const string SpecKey = "spec";

    /// <summary>
    /// How late a cron firing may be and still count as on time (a busy thread pool, a slow start). Beyond it,
    /// the schedule's misfire policy decides: skip, or fire once.
    /// </summary>
    private static readonly TimeSpan CronMisfireThreshold = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);

    public static TriggerKey ScheduleTriggerKey(string id) => new(id, ScheduleGroup);

    public async Task SyncAllAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var (schedules, watches) = await store.AllAsync(ct).ConfigureAwait(false);
            await SyncGroupAsync(ScheduleGroup, schedules.Where(s => s.Enabled).ToDictionary(s => s.Id, s => ScheduleSpecOf(s), StringComparer.Ordinal), schedules.ToDictionary(s => s.Id, s => (object)s, StringComparer.Ordinal), ct).ConfigureAwait(false);
            await SyncGroupAsync(WatchGroup, watches.Where(w => w.Enabled).ToDictionary(w => w.Id, w => WatchSpecOf(w), StringComparer.Ordinal), watches.ToDictionary(w => w.Id, w => (object)w, StringComparer.Ordinal), ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SyncScheduleAsync(string id, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var record = await store.FindScheduleAsync(id, ct).ConfigureAwait(false);
            await SyncOneAsync(new JobKey(id, ScheduleGroup), record is { Enabled: true } ? ScheduleSpecOf(record) : null, record, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SyncWatchAsync(string id, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var record = await store.FindFileWatchAsync(id, ct).ConfigureAwait(false);
            await SyncOneAsync(new JobKey(id, WatchGroup), record is { Enabled: true } ? WatchSpecOf(record) : null, record, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Quartz's next fire time of a schedule, or null when it has no trigger.</summary>
    public async Task<DateTimeOffset?> NextFireTimeAsync(string scheduleId, CancellationToken ct)
    {
        var trigger = await scheduler.GetTrigger(ScheduleTriggerKey(scheduleId), ct).ConfigureAwait(false);
        return trigger?.NextFireTimeUtc;
    }

    private async Task SyncGroupAsync(string group, Dictionary<string, string> wanted, Dictionary<string, object> records, CancellationToken ct)
    {
        var existing = await scheduler.QueryJobs(new JobQuery { Group = GroupMatcher<JobKey>.GroupEquals(group), Take = PagedQuery.All }, ct).ConfigureAwait(false);
        foreach (var header in existing.Items.Where(h => !wanted.ContainsKey(h.Key.Name)))
        {
            await scheduler.DeleteJob(header.Key, ct).ConfigureAwait(false);
        }

        foreach (var (id, spec) in wanted)
        {
            await SyncOneAsync(new JobKey(id, group), spec, records[id], ct).ConfigureAwait(false);
        }
    }

    private async Task SyncOneAsync(JobKey key, string? spec, object? record, CancellationToken ct)
    {
        var current = await scheduler.GetJobDetail(key, ct).ConfigureAwait(false);
        if (spec is null)
        {
            if (current is not null)
            {
                await scheduler.DeleteJob(key, ct).ConfigureAwait(false);
            }

            return;
        }

        if (current is not null && current.JobDataMap.GetString(SpecKey) == spec && await scheduler.Exists(new TriggerKey(key.Name, key.Group), ct).ConfigureAwait(false))
        {
            return;
        }

        var (job, trigger) = record switch
        {
            ScheduleRecord s => BuildSchedule(s, spec),
            FileWatchRecord w => BuildWatch(w, spec),
            _ => throw new InvalidOperationException($"no trigger record for job {key}"),
        };

        // Replacing is one store operation under Quartz's lock, so two engines syncing at once end with one job.
        await scheduler.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing, ct).ConfigureAwait(false);
    }

    private static (IJobDetail, ITrigger) BuildSchedule(ScheduleRecord schedule, string spec)
    {
        var job = JobBuilder.Create<ScheduleFiringJob>()
            .WithIdentity(schedule.Id, ScheduleGroup)
            .WithDescription($"schedule {schedule.Id}: {DefinitionReference.Describe(schedule.WorkflowPath, schedule.WorkflowId, schedule.PinnedVersion)}")
            .StoreDurably(true)
            .RequestRecovery(false)
            .UsingJobData(IdKey, schedule.Id)
            .UsingJobData(SpecKey, spec)
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(schedule.Id, ScheduleGroup)
            .ForJob(job)
            .WithCronSchedule(schedule.Cron, c => c.WithMisfireInstruction(schedule.Misfire == MisfirePolicy.FireOnce ? CronTriggerMisfireInstruction.FireAndProceed : CronTriggerMisfireInstruction.DoNothing))
            .WithMisfireThreshold(CronMisfireThreshold)
            .WithRetryPolicy(RetryPolicy.None)
            .WithExecutionGroup(ExecutionGroup)
            .Build();
        return (job, trigger);
    }

    private static (IJobDetail, ITrigger) BuildWatch(FileWatchRecord watch, string spec)
    {
        var job = JobBuilder.Create<FileWatchJob>()
            .WithIdentity(watch.Id, WatchGroup)
            .WithDescription($"watch {watch.Id}: {watch.Folder}/{watch.Glob}")
            .StoreDurably(true)
            .RequestRecovery(false)
            .UsingJobData(IdKey, watch.Id)
            .UsingJobData(SpecKey, spec)
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(watch.Id, WatchGroup)
            .ForJob(job)
            .StartNow()
            .WithSimpleSchedule(s => s.WithInterval(watch.PollInterval).RepeatForever().MeasureIntervalFromCompletion(true).WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .WithRetryPolicy(RetryPolicy.None)
            .WithExecutionGroup(ExecutionGroup)
            .Build();
        return (job, trigger);
    }

    private static string ScheduleSpecOf(ScheduleRecord s) => $"cron={s.Cron};misfire={MisfireText.Write(s.Misfire)}";

    private static string WatchSpecOf(FileWatchRecord w) => "poll=" + w.PollInterval.Ticks.ToString(CultureInfo.InvariantCulture);
}
