using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CellSegFlows.Engine.Bench;

/// <summary>
/// Counts the run store's database commands (EF Core's "command executed" diagnostic events), by statement
/// kind, so a change that claims fewer statements per step can be checked by count, not only by time.
/// Quartz's own commands do not go through EF and are not counted.
/// </summary>
internal sealed class SqlCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;
    private readonly List<IDisposable> _listeners = [];

    public SqlCounter() => _subscription = DiagnosticListener.AllListeners.Subscribe(this);

    /// <summary>Whether commands are counted now (off during warm-up).</summary>
    public bool Enabled { get; set; }

    /// <summary>Counts so far, by the first words of each statement.</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    public void Reset() => _counts.Clear();

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_listeners)
            {
                _listeners.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (Enabled && value.Key == RelationalEventId.CommandExecuted.Name && value.Value is CommandExecutedEventData data)
        {
            foreach (var statement in data.Command.CommandText.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var words = statement.Split((char[])[' ', '\n', '\r'], 4, StringSplitOptions.RemoveEmptyEntries);
                _counts.AddOrUpdate(string.Join(' ', words.Take(3)), 1, (_, n) => n + 1);
            }

            _counts.AddOrUpdate("(commands)", 1, (_, n) => n + 1);
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _subscription.Dispose();
        lock (_listeners)
        {
            _listeners.ForEach(l => l.Dispose());
        }
    }
}
