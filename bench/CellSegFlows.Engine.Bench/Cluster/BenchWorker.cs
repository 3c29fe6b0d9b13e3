using System.Diagnostics;
using System.Globalization;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Bench.Cluster;

/// <summary>
/// A worker in a process of its own (this program's <c>cluster-worker</c> mode) on the clustered PostgreSQL stores,
/// so the bench can SIGKILL it as a crash would, and read its CPU time from <c>/proc</c>.
/// </summary>
internal sealed class BenchWorker : IAsyncDisposable
{
    private const string ParentVariable = "CELLSEGFLOWS_BENCH_PARENT_PID";
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _home;

    private BenchWorker(string name, string home, Process process)
    {
        Name = name;
        _home = home;
        _process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data is null ? null : "stderr: " + e.Data);
        process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"worker {Name} exited before READY:\n{Output}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The worker name: the journal's and the Quartz cluster's instance id.</summary>
    public string Name { get; }

    public int ProcessId => _process.Id;

    private string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines.TakeLast(40));
            }
        }
    }

    /// <summary>Starts <c>dotnet THIS.dll cluster-worker HOME CONNECTION NAME THREADS</c>; await <see cref="WaitReadyAsync"/> next.</summary>
    public static BenchWorker Start(string name, string connectionString, int threads)
    {
        var home = Path.Combine(Path.GetTempPath(), "cellsegflows-cluster-bench", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { typeof(BenchWorker).Assembly.Location, "cluster-worker", home, connectionString, name, threads.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment[ParentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        return new BenchWorker(name, home, Process.Start(info) ?? throw new InvalidOperationException($"could not start worker {name}"));
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        try
        {
            await _ready.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"worker {Name} not READY within {timeout}:\n{Output}");
        }
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>User + system CPU time of the process so far, from <c>/proc/PID/stat</c> (readable while it lives).</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);   // USER_HZ is 100 on Linux
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
            // It ended meanwhile.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The child side: a worker serving both queues from the clustered stores until the bench process is gone.</summary>
    public static async Task<int> RunAsync(string home, string connectionString, string name, int threads)
    {
        var options = new EngineOptions
        {
            Home = home, QuartzPostgres = connectionString, RunStore = RunStoreOptions.Postgres(connectionString), WorkerName = name, Threads = threads,
        };
        await using var engine = await WorkflowEngine.StartAsync(options, BenchActivities.Registry()).ConfigureAwait(false);
        Console.WriteLine("READY");
        var parent = int.Parse(Environment.GetEnvironmentVariable(ParentVariable) ?? "0", CultureInfo.InvariantCulture);
        while (Alive(parent))
        {
            await Task.Delay(1000).ConfigureAwait(false);
        }

        Environment.Exit(3);   // an orphan just ends: its database may be gone already
        return 3;
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }

        if (line == "READY")
        {
            _ready.TrySetResult();
        }
    }
}
