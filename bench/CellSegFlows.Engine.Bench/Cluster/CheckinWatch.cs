namespace CellSegFlows.Engine.Bench.Cluster;

/// <summary>
/// Samples every live worker's last cluster check-in (<c>qrtz_scheduler_state</c>) every 100 ms while the bench runs and
/// keeps the gaps between a worker's successive check-ins: how close a live worker comes to being declared dead
/// (a gap past check-in interval + misfire threshold, 4 s here), which is what a shorter interval would risk.
/// </summary>
internal sealed class CheckinWatch : IAsyncDisposable
{
    private readonly BenchDatabase _database;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, long> _last = [];
    private readonly List<double> _gaps = [];
    private readonly Task _loop;

    public CheckinWatch(BenchDatabase database)
    {
        _database = database;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Seconds between successive check-ins of one worker, over all workers.</summary>
    public IReadOnlyList<double> Gaps
    {
        get
        {
            lock (_gaps)
            {
                return [.. _gaps];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            await using var command = _database.DataSource.CreateCommand("SELECT instance_name, last_checkin_time FROM qrtz_scheduler_state");
            await using var reader = await command.ExecuteReaderAsync(_stop.Token).ConfigureAwait(false);
            while (await reader.ReadAsync(_stop.Token).ConfigureAwait(false))
            {
                var (name, ticks) = (reader.GetString(0), reader.GetInt64(1));
                if (_last.TryGetValue(name, out var previous) && ticks != previous)
                {
                    lock (_gaps)
                    {
                        _gaps.Add(TimeSpan.FromTicks(ticks - previous).TotalSeconds);
                    }
                }

                _last[name] = ticks;
            }
        }
    }
}
