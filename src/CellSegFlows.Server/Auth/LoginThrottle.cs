using System.Collections.Concurrent;

namespace CellSegFlows.Server.Auth;

/// <summary>
/// Failed logins counted per client address and per (name, client address) within a sliding window: 5 failures for
/// one name from one address, or 20 from one address over any names, refuse further tries from there until the
/// window has passed. Counting per name alone would let anyone lock the admin out from anywhere, and would not slow
/// one address guessing many names.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock)
{
    /// <summary>Failed logins for one name from one address within <see cref="Window"/>.</summary>
    public const int MaxFailures = 5;

    /// <summary>Failed logins from one address within <see cref="Window"/>, whatever the names.</summary>
    public const int MaxFailuresPerAddress = 20;

    /// <summary>How long a failure counts.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    // Bounds the memory an attacker can make the server spend on remembering failures.
    private const int MaxTracked = 50_000;

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long <paramref name="address"/> must wait before trying <paramref name="userName"/> again (zero: now), and which limit applies.</summary>
    public (TimeSpan Wait, string Reason) RetryAfter(string userName, string address)
    {
        var forName = Wait(NameKey(userName, address), MaxFailures);
        if (forName > TimeSpan.Zero)
        {
            return (forName, $"{MaxFailures} failed logins for '{userName}' from this address within {Window.TotalMinutes:0} minutes");
        }

        var forAddress = Wait(AddressKey(address), MaxFailuresPerAddress);
        return forAddress > TimeSpan.Zero
            ? (forAddress, $"{MaxFailuresPerAddress} failed logins from this address within {Window.TotalMinutes:0} minutes")
            : (TimeSpan.Zero, string.Empty);
    }

    /// <summary>Records a failed login.</summary>
    public void Failed(string userName, string address)
    {
        if (_failures.Count > MaxTracked)
        {
            PruneAll();
        }

        Add(NameKey(userName, address));
        Add(AddressKey(address));
    }

    /// <summary>A successful login clears that name's failures from that address.</summary>
    public void Succeeded(string userName, string address) => _failures.TryRemove(NameKey(userName, address), out _);

    private static string NameKey(string userName, string address) => $"{address}\n{userName}";

    private static string AddressKey(string address) => address;

    private TimeSpan Wait(string key, int limit)
    {
        if (!_failures.TryGetValue(key, out var times))
        {
            return TimeSpan.Zero;
        }

        lock (times)
        {
            Prune(times);
            return times.Count >= limit ? times.ElementAt(times.Count - limit) + Window - clock.GetUtcNow() : TimeSpan.Zero;
        }
    }

    private void Add(string key)
    {
        var times = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            Prune(times);
            times.Enqueue(clock.GetUtcNow());
            while (times.Count > MaxFailuresPerAddress)
            {
                times.Dequeue();
            }
        }
    }

    private void PruneAll()
    {
        foreach (var (key, times) in _failures)
        {
            lock (times)
            {
                Prune(times);
                if (times.Count == 0)
                {
                    _failures.TryRemove(key, out _);
                }
            }
        }
    }

    private void Prune(Queue<DateTimeOffset> times)
    {
        var cutoff = clock.GetUtcNow() - Window;
        while (times.Count > 0 && times.Peek() < cutoff)
        {
            times.Dequeue();
        }
    }
}
