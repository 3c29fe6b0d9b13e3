using System.Collections.Concurrent;

namespace CellSegFlows.Server.Auth;

/// <summary>
/// Slows password guessing: after <see cref="MaxFailures"/> failed logins for one user name within
/// <see cref="Window"/>, further attempts for that name are refused until the window has passed. Only failures
/// count, so people and tests that sign in correctly are never held up. In memory: a restart forgets it.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock)
{
    public const int MaxFailures = 5;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long the name must wait before another attempt; zero when it may try now.</summary>
    public TimeSpan RetryAfter(string userName)
    {
        if (!_failures.TryGetValue(userName, out var times))
        {
            return TimeSpan.Zero;
        }

        lock (times)
        {
            Prune(times);
            return times.Count >= MaxFailures ? times.Peek() + Window - clock.GetUtcNow() : TimeSpan.Zero;
        }
    }

    public void Failed(string userName)
    {
        var times = _failures.GetOrAdd(userName, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            Prune(times);
            times.Enqueue(clock.GetUtcNow());
        }
    }

    public void Succeeded(string userName) => _failures.TryRemove(userName, out _);

    private void Prune(Queue<DateTimeOffset> times)
    {
        var cutoff = clock.GetUtcNow() - Window;
        while (times.Count > 0 && times.Peek() < cutoff)
        {
            times.Dequeue();
        }
    }
}
