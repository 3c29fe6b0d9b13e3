using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Store;
using Microsoft.Extensions.Logging;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// What a running step reports — progress, log lines, metrics, artifacts — buffered and written to
/// the run store a few times a second and at the end, so the journal is current without a write per call.
/// The flushing loop starts with the first report: a step that reports nothing (most short steps) costs
/// no timer and no background task.
/// </summary>
internal sealed class StepJournal : IProgress<StepProgress>, ILogger, IAsyncDisposable
{
    private readonly RunStoreOptions _store;
    private readonly string _runId;
    private readonly string _stepId;
    private readonly int _attempt;
    private readonly string _worker;
    private readonly object _lock = new();
    private readonly List<StepEventRecord> _events = [];
    private readonly List<MetricRecord> _metrics = [];
    private readonly List<ArtifactRecord> _artifacts = [];
    private static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(300);

    /// <summary>Made with the flushing loop: a periodic timer ticks from the moment it is made, used or not.</summary>
    private PeriodicTimer? _timer;
    private Task? _flusher;
    private bool _disposed;
    private StepProgress? _progress;

    public StepJournal(RunStoreOptions store, string runId, string stepId, int attempt, string worker)
    {
        _store = store;
        _runId = runId;
        _stepId = stepId;
        _attempt = attempt;
        _worker = worker;
    }

    public void Report(StepProgress value)
    {
        lock (_lock)
        {
            _progress = value;
            StartFlusher();
        }
    }

    public void Metric(string name, double value, long? step)
    {
        lock (_lock)
        {
            _metrics.Add(new MetricRecord { RunId = _runId, StepId = _stepId, Name = name, Value = value, Iteration = step, Time = DateTimeOffset.UtcNow });
            StartFlusher();
        }
    }

    public void Artifact(ArtifactRef artifact)
    {
        lock (_lock)
        {
            _artifacts.Add(new ArtifactRecord { Hash = artifact.Hash, Name = artifact.Name, Size = artifact.Size, RunId = _runId, StepId = _stepId, CreatedAt = DateTimeOffset.UtcNow });
            StartFlusher();
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var text = formatter(state, exception);
        if (exception is not null)
        {
            text += " — " + ErrorText.CauseChain(exception);
        }

        lock (_lock)
        {
            _events.Add(new StepEventRecord
            {
                RunId = _runId, StepId = _stepId, Time = DateTimeOffset.UtcNow, Kind = "log", Attempt = _attempt,
                Message = $"{logLevel}: {text}", Worker = _worker,
            });
            StartFlusher();
        }
    }

    public async Task FlushAsync(CancellationToken ct = default)
    {
        StepProgress? progress;
        StepEventRecord[] events;
        MetricRecord[] metrics;
        ArtifactRecord[] artifacts;
        lock (_lock)
        {
            progress = _progress;
            _progress = null;
            events = [.. _events];
            metrics = [.. _metrics];
            artifacts = [.. _artifacts];
            _events.Clear();
            _metrics.Clear();
            _artifacts.Clear();
        }

        if (progress is null && events.Length == 0 && metrics.Length == 0 && artifacts.Length == 0)
        {
            return;
        }

        await StoreGate.WriteAsync(_store, async db =>
        {
            if (progress is { } p && await db.Steps.FindAsync([_stepId], ct).ConfigureAwait(false) is { } step)
            {
                step.Progress = p.Fraction ?? step.Progress;
                step.ProgressMessage = p.Message ?? step.ProgressMessage;
            }

            db.Events.AddRange(events);
            db.Metrics.AddRange(metrics);
            db.Artifacts.AddRange(artifacts);
        }, ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Task? flusher;
        lock (_lock)
        {
            _disposed = true;
            flusher = _flusher;
        }

        _timer?.Dispose();
        if (flusher is not null)
        {
            await flusher.ConfigureAwait(false);
        }

        await FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Starts the flushing loop on the first report (called under the lock).</summary>
    private void StartFlusher()
    {
        if (_flusher is null && !_disposed)
        {
            var timer = _timer = new PeriodicTimer(FlushEvery);
            _flusher = Task.Run(() => FlushLoopAsync(timer));
        }
    }

    private async Task FlushLoopAsync(PeriodicTimer timer)
    {
        try
        {
            while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }
        catch (ObjectDisposedException)
        {
            // The step ended; DisposeAsync flushes the rest.
        }
    }
}

/// <summary>The artifact store as a step sees it: every artifact it stores is recorded with the step (lineage).</summary>
internal sealed class RecordingArtifactStore(IArtifactStore inner, StepJournal journal) : IArtifactStore
{
    public async Task<ArtifactRef> PutFileAsync(string path, string? name = null, CancellationToken cancellationToken = default)
    {
        var artifact = await inner.PutFileAsync(path, name, cancellationToken).ConfigureAwait(false);
        journal.Artifact(artifact);
        return artifact;
    }

    public async Task<ArtifactRef> PutBytesAsync(ReadOnlyMemory<byte> content, string name, CancellationToken cancellationToken = default)
    {
        var artifact = await inner.PutBytesAsync(content, name, cancellationToken).ConfigureAwait(false);
        journal.Artifact(artifact);
        return artifact;
    }

    public string GetPath(ArtifactRef artifact) => inner.GetPath(artifact);

    public bool Contains(string hash) => inner.Contains(hash);
}
