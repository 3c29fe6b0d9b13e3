using System.Diagnostics;

namespace CellSegFlows.Engine.Tests.Postgres;

/// <summary>
/// A worker in a real child process (the engine test host's <c>worker</c> command) serving steps from the
/// clustered Quartz store and the run store on PostgreSQL, so a test can SIGKILL it mid-step.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data, string.Empty);
        process.ErrorDataReceived += (_, e) => Add(e.Data, "stderr: ");
        process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"worker {Name} exited before READY:\n{Output}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The worker name, as the journal records it.</summary>
    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything it printed (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return $"--- {Name} ---\n{string.Join('\n', _lines)}";
            }
        }
    }

    /// <summary>The test host next to this test assembly (the project reference copies it there).</summary>
    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "CellSegFlows.Engine.TestHost.dll");

    /// <summary>Starts <c>dotnet TestHost.dll worker HOME QUARTZ_PG RUN_STORE QUEUES NAME THREADS</c>; call <see cref="WaitReadyAsync"/> next.</summary>
    public static WorkerProcess Start(string name, string connectionString, string callsFile, int threads, string? artifacts = null)
    {
        var home = TestPaths.NewTempFolder();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { HostDll, "worker", home, connectionString, connectionString, "cpu,gpu", name, threads.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["CELLSEGFLOWS_TEST_CALLS"] = callsFile;
        if (artifacts is not null)
        {
            info.Environment["CELLSEGFLOWS_TEST_ARTIFACTS"] = artifacts;
        }

        info.Environment["CELLSEGFLOWS_TEST_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new WorkerProcess(name, Process.Start(info) ?? throw new InvalidOperationException($"could not start worker {name}"));
    }

    /// <summary>Waits for READY: the store is migrated and its scheduler takes steps.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        try
        {
            await _ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"worker {Name} not READY within {timeout}:\n{Output}");
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, like a crash, an OOM kill or a pulled plug.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // It ended on its own meanwhile.
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Add(string? line, string prefix)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(prefix + line);
        }

        if (line == "READY")
        {
            _ready.TrySetResult();
        }
    }
}
