using System.Runtime.InteropServices;

namespace CellSegFlows.Engine.Hosting;

/// <summary>
/// SIGTERM (what <c>docker stop</c> and systemd send) and SIGINT (Ctrl+C) for a worker process: the first asks for a
/// drain (<see cref="Drain"/>, see <see cref="WorkflowEngine.DrainAsync"/>), the second for handing running steps back
/// at once (<see cref="HandBack"/>). While this object lives, neither signal ends the process by itself.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _drain = new();
    private readonly CancellationTokenSource _handBack = new();
    private readonly PosixSignalRegistration[] _registrations;

    /// <summary>Starts listening for SIGTERM and SIGINT.</summary>
    public StopSignals()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal)];
    }

    /// <summary>Cancelled by the first signal: stop taking steps and drain.</summary>
    public CancellationToken Drain => _drain.Token;

    /// <summary>Cancelled by the second signal: stop waiting for running steps and hand them back.</summary>
    public CancellationToken HandBack => _handBack.Token;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _drain.Dispose();
        _handBack.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;   // the drain decides when the process ends
        if (_drain.IsCancellationRequested)
        {
            _handBack.Cancel();
        }
        else
        {
            _drain.Cancel();
        }
    }
}
