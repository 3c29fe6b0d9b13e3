using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Hosting;

/// <summary>
/// The workers of a run store: each engine that runs steps checks in at start, every trigger-sync interval and
/// when it stops, with its queues, device and threads; any process can list them.
/// </summary>
public sealed class WorkerRegistry
{
    // Workers are named host:pid, so every restart adds a row: forget those silent for a week.
    private static readonly TimeSpan Forgotten = TimeSpan.FromDays(7);

    private readonly EngineOptions _options;

    internal WorkerRegistry(EngineOptions options) => _options = options;

    /// <summary>Whether this process has checked in (so stopping records that it stopped).</summary>
    internal bool CheckedIn { get; private set; }

    /// <summary>The workers that have checked in to this run store, most recent first.</summary>
    public async Task<IReadOnlyList<WorkerRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = _options.ResolvedRunStore.CreateContext();
        var workers = await db.Workers.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return workers.OrderByDescending(w => w.LastSeenAt).ToList();
    }

    /// <summary>
    /// Asks the running workers named <paramref name="name"/> (or, for a host name, every <c>host:pid</c> worker there) to
    /// drain and stop; each does at its next check-in (within a trigger-sync interval).
    /// </summary>
    /// <returns>The workers asked (none when no such worker is running).</returns>
    public Task<IReadOnlyList<string>> RequestDrainAsync(string name, CancellationToken cancellationToken = default) =>
        RequestDrainAsync(_options.ResolvedRunStore, name, cancellationToken);

    /// <summary>As <see cref="RequestDrainAsync(string, CancellationToken)"/>, on a run store without an engine (the command line).</summary>
    public static async Task<IReadOnlyList<string>> RequestDrainAsync(RunStoreOptions store, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return await store.WriteAsync<IReadOnlyList<string>>(async db =>
        {
            var rows = (await db.Workers.ToListAsync(cancellationToken).ConfigureAwait(false))
                .Where(w => w.StoppedAt is null && (w.Name == name || w.Name.StartsWith(name + ":", StringComparison.Ordinal))).ToList();
            foreach (var row in rows)
            {
                row.DrainRequestedAt ??= DateTimeOffset.UtcNow;
            }

            return rows.Select(r => r.Name).ToList();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records that this worker has begun to drain (a stop signal, or a request it saw at a check-in), so the operations
    /// view shows it draining until it stops; a request already recorded keeps its time.
    /// </summary>
    internal Task MarkDrainingAsync(CancellationToken ct) =>
        Runtime.StoreGate.WriteAsync(_options.ResolvedRunStore, async db =>
        {
            var row = await db.Workers.FindAsync([_options.WorkerName], ct).ConfigureAwait(false);
            if (row is not null && row.StoppedAt is null)
            {
                row.DrainRequestedAt ??= DateTimeOffset.UtcNow;
            }
        }, ct);

    /// <summary>Records that this worker is alive (every trigger-sync interval) or has stopped.</summary>
    /// <returns>Whether someone asked it to drain since it started.</returns>
    internal async Task<bool> CheckInAsync(bool stopped, CancellationToken ct, bool starting = false)
    {
        CheckedIn = true;
        var now = DateTimeOffset.UtcNow;
        return await _options.ResolvedRunStore.WriteAsync(async db =>
        {
            var row = await db.Workers.FindAsync([_options.WorkerName], ct).ConfigureAwait(false);
            if (row is null)
            {
                row = new WorkerRecord { Name = _options.WorkerName, Queues = string.Empty, Device = DeviceText(_options), StartedAt = now };
                db.Workers.Add(row);
            }
            else if (row.StoppedAt is not null && !stopped)
            {
                row.StartedAt = now;
            }

            var forgotten = now - Forgotten;
            foreach (var old in await db.Workers.Where(w => w.Name != _options.WorkerName).ToListAsync(ct).ConfigureAwait(false))
            {
                if (old.LastSeenAt < forgotten)
                {
                    db.Workers.Remove(old);
                }
            }

            row.Queues = string.Join(",", _options.Queues);
            row.Device = DeviceText(_options);
            row.Threads = _options.Threads;
            row.LastSeenAt = now;
            row.StoppedAt = stopped ? now : null;
            if (starting)
            {
                row.DrainRequestedAt = null;   // a request was for the process before this one
            }

            return row.DrainRequestedAt is not null;
        }, ct).ConfigureAwait(false);
    }

    // The devices of its gpu queue, as the operations view shows them: "cuda:0,cuda:1".
    private static string DeviceText(EngineOptions options) => string.Join(",", options.ResolvedGpuDevices.Distinct());
}
