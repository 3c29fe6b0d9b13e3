using System.Diagnostics;
using CellSegFlows.Engine.Store;
using Npgsql;

namespace CellSegFlows.Engine.Bench.Cluster;

/// <summary>
/// Failover time: a run of one long step; once the step has run a few seconds, the worker running it is SIGKILLed, and
/// the clock runs until the step's next attempt has started on another worker (its <c>started_at</c> in the run store).
/// Each kill also records when Quartz's cluster manager on a survivor declared the dead worker failed (its row in
/// <c>qrtz_scheduler_state</c> gone, the recovery trigger created) and when the misfire handler re-timed the recovery
/// trigger, which splits the time into detection, misfire wait and pickup. The killed worker is replaced by a fresh one
/// under a new name (a restart under the same name would recover its own jobs at its first check-in, which is a restart,
/// not a failover), and the next round starts once it is ready.
/// </summary>
internal static class FailoverBench
{
    private const string Definition = """
        { "id": "bench-failover",
          "nodes": [ { "id": "long", "activity": "bench.Sleep", "inputs": { "milliseconds": 600000 }, "cache": false } ] }
        """;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public static async Task RunAsync(string server, int kills, int workerCount, int threads, int seed, TimeSpan minHold)
    {
        Console.WriteLine($"failover bench: {workerCount} worker processes × {threads} threads, {kills} kills, seed {seed}, step held {minHold.TotalSeconds:0}-{minHold.TotalSeconds + 2:0} s before each kill, " +
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {MachineLoad.Average()}");
        await using var cluster = await ClusterSetup.StartAsync(server, workerCount, threads).ConfigureAwait(false);
        var random = new Random(seed);
        var samples = new List<Sample>();
        await using var checkins = new CheckinWatch(cluster.Database);
        var machineBefore = MachineLoad.Read();
        var clock = Stopwatch.StartNew();
        for (var k = 1; k <= kills; k++)
        {
            var runId = await cluster.Client.StartRunAsync(Definition, "failover.json", new Dictionary<string, string>()).ConfigureAwait(false);
            var first = await WaitForStepAsync(cluster, runId, s => s.Status == StepStatus.Running && s.Worker is not null, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            var victim = cluster.Worker(first.Worker!);

            // Held a random while after the start, so kills fall anywhere in the 2 s check-in cycle; at least minHold, so the
            // recovery trigger's fire time (the step's) is past the store's 5 s misfire threshold, as for any real step.
            var hold = minHold + TimeSpan.FromMilliseconds(random.Next(2000));
            var wait = first.StartedAt!.Value + hold - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            var lastCheckin = await LastCheckinAsync(cluster.Database, victim.Name).ConfigureAwait(false);
            var killedAt = DateTimeOffset.UtcNow;
            victim.Kill();
            var sample = await FollowAsync(cluster, runId, first, victim.Name, killedAt, lastCheckin).ConfigureAwait(false);
            samples.Add(sample);
            Console.WriteLine($"kill {k,2}: {victim.Name} killed {(killedAt - first.StartedAt!.Value).TotalSeconds:0.00} s into attempt {first.Attempt}, " +
                $"{(killedAt - lastCheckin).TotalSeconds:0.00} s after its last check-in; declared failed +{sample.Detected.TotalSeconds:0.00} s, " +
                $"recovery trigger re-timed +{Text(sample.Retimed)}, attempt {sample.Attempt} running on {sample.NewWorker} +{sample.Failover.TotalSeconds:0.00} s");

            await cluster.Client.CancelRunAsync(runId).ConfigureAwait(false);
            await cluster.ReplaceAsync(victim).ConfigureAwait(false);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await cluster.Client.WaitForRunAsync(runId, null, limit.Token).ConfigureAwait(false);
        }

        var busy = MachineLoad.BusyCores(machineBefore, MachineLoad.Read());
        Console.WriteLine($"{kills} kills in {clock.Elapsed.TotalSeconds:0} s; machine CPU busy {busy:0.00} of {Environment.ProcessorCount} cores on average (every process); load average {MachineLoad.Average()}");
        Console.WriteLine("phase (s after the SIGKILL)                          p50     p95     min     max    mean");
        Row("since the victim's last check-in (before the kill)", samples.Select(s => s.SinceCheckin));
        Row("declared failed, recovery trigger created", samples.Select(s => s.Detected));
        Row("recovery trigger re-timed by the misfire handler", samples.Where(s => s.Retimed is not null).Select(s => s.Retimed!.Value));
        Row("failover: next attempt started on another worker", samples.Select(s => s.Failover));
        Row("  of it after the declaration (misfire + pickup)", samples.Select(s => s.Failover - s.Detected));
        var gaps = checkins.Gaps.Order().ToList();
        Console.WriteLine($"live workers' cluster check-in gaps (interval 2 s; declared dead past about 4 s): {gaps.Count} gaps, p50 {Percentile(gaps, 50):0.00} s, " +
            $"p99 {Percentile(gaps, 99):0.00} s, max {gaps[^1]:0.00} s; late by over 0.5 s: {gaps.Count(g => g > 2.5)}, over 1 s (dead under a 1 s threshold): {gaps.Count(g => g > 3)}, " +
            $"over 2 s (dead under today's 2 s): {gaps.Count(g => g > 4)}");
        Console.WriteLine($"re-timed seen in {samples.Count(s => s.Retimed is not null)} of {samples.Count} kills (polled every {Poll.TotalMilliseconds:0} ms; a trigger re-timed and fired between two polls is not seen)");
    }

    private static void Row(string name, IEnumerable<TimeSpan> values)
    {
        var sorted = values.Select(v => v.TotalSeconds).Order().ToList();
        if (sorted.Count == 0)
        {
            Console.WriteLine($"{name,-52}  (none)");
            return;
        }

        Console.WriteLine($"{name,-52} {Percentile(sorted, 50),5:0.00}   {Percentile(sorted, 95),5:0.00}   {sorted[0],5:0.00}   {sorted[^1],5:0.00}   {sorted.Average(),5:0.00}");
    }

    /// <summary>Nearest rank: the smallest value with at least p % of the values at or below it (p95 of 20 is the 19th).</summary>
    internal static double Percentile(IReadOnlyList<double> sorted, int p) => sorted[Math.Max(0, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];

    private static string Text(TimeSpan? value) => value is { } v ? $"{v.TotalSeconds:0.00} s" : "(not seen)";

    private static async Task<Sample> FollowAsync(ClusterSetup cluster, string runId, StepRecord first, string victim, DateTimeOffset killedAt, DateTimeOffset lastCheckin)
    {
        DateTimeOffset? detected = null, retimed = null;
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromSeconds(90))
        {
            var now = DateTimeOffset.UtcNow;
            if (detected is null && !await StateRowExistsAsync(cluster.Database, victim).ConfigureAwait(false))
            {
                detected = now;
            }

            if (retimed is null && detected is not null && await RecoveryFireTimeAsync(cluster.Database, first.Id).ConfigureAwait(false) is { } fireTime && fireTime > killedAt)
            {
                retimed = fireTime;   // the handler set it to its own now: the time it ran
            }

            var step = (await cluster.Client.Runs.SnapshotAsync(runId).ConfigureAwait(false)).Steps.Single();
            if (step.Attempt > first.Attempt && step.Worker != victim)
            {
                detected ??= now;   // declared and taken over between two polls
                return new Sample(killedAt - lastCheckin, detected.Value - killedAt, retimed - killedAt, step.StartedAt!.Value - killedAt, step.Attempt, step.Worker!);
            }

            await Task.Delay(Poll).ConfigureAwait(false);
        }

        throw new TimeoutException($"the step of run {runId} did not run again within 90 s of killing {victim}");
    }

    private static async Task<StepRecord> WaitForStepAsync(ClusterSetup cluster, string runId, Func<StepRecord, bool> done, TimeSpan timeout)
    {
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < timeout)
        {
            var steps = (await cluster.Client.Runs.SnapshotAsync(runId).ConfigureAwait(false)).Steps;
            if (steps.Count == 1 && done(steps[0]))
            {
                return steps[0];
            }

            await Task.Delay(Poll).ConfigureAwait(false);
        }

        throw new TimeoutException($"the step of run {runId} did not start within {timeout}");
    }

    private static async Task<DateTimeOffset> LastCheckinAsync(BenchDatabase database, string instance)
    {
        await using var command = database.DataSource.CreateCommand("SELECT last_checkin_time FROM qrtz_scheduler_state WHERE instance_name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = instance });
        return new DateTimeOffset((long)(await command.ExecuteScalarAsync().ConfigureAwait(false) ?? throw new InvalidOperationException($"no check-in of {instance}")), TimeSpan.Zero);
    }

    private static async Task<bool> StateRowExistsAsync(BenchDatabase database, string instance)
    {
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM qrtz_scheduler_state WHERE instance_name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = instance });
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))! > 0;
    }

    /// <summary>The next fire time of the step's recovery trigger (Quartz's recovery group), while it exists.</summary>
    private static async Task<DateTimeOffset?> RecoveryFireTimeAsync(BenchDatabase database, string stepId)
    {
        await using var command = database.DataSource.CreateCommand("SELECT next_fire_time FROM qrtz_triggers WHERE trigger_group = 'RECOVERING_JOBS' AND job_name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = stepId });
        return await command.ExecuteScalarAsync().ConfigureAwait(false) is long ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
    }

    private sealed record Sample(TimeSpan SinceCheckin, TimeSpan Detected, TimeSpan? Retimed, TimeSpan Failover, int Attempt, string NewWorker);
}
