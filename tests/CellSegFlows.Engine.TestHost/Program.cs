using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.TestHost;

// A worker process for engine tests:
//   run HOME WORKFLOW.json [name=value ...]   start a run, print "RUN <id>", wait, print "STATUS <status>"
//   resume HOME RUN_ID                          start the engine (recovery + reconcile), wait, print "STATUS <status>"
//   drain HOME WORKFLOW.json DRAIN_MS         start a run, print "RUN <id>", serve until SIGTERM or a drain request in the run store, then drain for DRAIN_MS
//                                               and print "DRAINED <finished> <handed back>"
//   worker HOME QUARTZ_PG RUN_STORE QUEUES NAME [THREADS]
//                                               serve steps from a clustered store until killed
//   put ROOT GO_FILE SEED                      once GO_FILE exists, store blobs in a shared artifact folder at once:
//                                               some every writer stores, some only this one; print "REF <hash> <size>"
if (args.Length >= 4 && args[0] == "put")
{
    return await SharedFolderWriter.RunAsync(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
}

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: run HOME WORKFLOW [k=v...] | resume HOME RUN_ID | worker HOME QUARTZ_PG RUN_STORE QUEUES NAME [THREADS]");
    return 2;
}

var registry = new ActivityRegistry().AddFrom(typeof(ConstantActivity).Assembly).TreatAsInputError<BadDataException>();
var options = args[0] == "worker"
    ? new EngineOptions
    {
        Home = args[1],
        QuartzPostgres = args[2],
        RunStore = CellSegFlows.Engine.Store.RunStoreOptions.Parse(args[3]),
        Queues = args[4].Split(','),
        WorkerName = args.Length > 5 ? args[5] : $"worker-{Environment.ProcessId}",

        // A shared artifact folder for workers on one machine (the chaos drill); default HOME/artifacts.
        ArtifactRoot = Environment.GetEnvironmentVariable("CELLSEGFLOWS_TEST_ARTIFACTS") is { Length: > 0 } shared ? shared : null,
    }
    : new EngineOptions { Home = args[1] };
if (args[0] == "worker" && args.Length > 6)
{
    // A fixed thread count lets a test predict how steps spread over workers on any machine.
    options = options with { Threads = int.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture) };
}

using var signals = args[0] == "drain" ? new StopSignals() : null;   // the other modes end on SIGTERM as before
await using var engine = await WorkflowEngine.StartAsync(options, registry);
switch (args[0])
{
    case "drain":
        var drained = await engine.StartRunAsync(await File.ReadAllTextAsync(args[2]), args[2], new Dictionary<string, string>());
        Console.WriteLine($"RUN {drained}");
        try
        {
            using var asked = CancellationTokenSource.CreateLinkedTokenSource(signals!.Drain, engine.DrainRequested);
            await Task.WhenAny(Task.Delay(Timeout.Infinite, asked.Token), WaitForParentExitAsync());
        }
        catch (OperationCanceledException)
        {
        }

        var result = await engine.DrainAsync(TimeSpan.FromMilliseconds(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)), null, signals!.HandBack);
        Console.WriteLine($"DRAINED {result.Finished} {result.HandedBack}");
        return 0;
    case "run":
        var parameters = args.Skip(3).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var runId = await engine.StartRunAsync(await File.ReadAllTextAsync(args[2]), args[2], parameters);
        Console.WriteLine($"RUN {runId}");
        Console.WriteLine($"STATUS {(await engine.WaitForRunAsync(runId)).Status}");
        return 0;
    case "resume":
        Console.WriteLine($"STATUS {(await engine.WaitForRunAsync(args[2])).Status}");
        return 0;
    case "worker":
        Console.WriteLine("READY");
        await WaitForParentExitAsync();
        Environment.Exit(3); // an orphan just ends: its store may be gone already
        return 3;
    default:
        Console.Error.WriteLine($"unknown command {args[0]}");
        return 2;
}

// A worker started by a test names the test process in CELLSEGFLOWS_TEST_PARENT_PID and ends when it is
// gone, so a crashed or killed test run leaves no worker behind; without it the worker runs until killed.
static async Task WaitForParentExitAsync()
{
    if (!int.TryParse(Environment.GetEnvironmentVariable("CELLSEGFLOWS_TEST_PARENT_PID"), out var parent))
    {
        await Task.Delay(Timeout.Infinite);
    }

    while (true)
    {
        await Task.Delay(1000);
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(parent);
            if (process.HasExited)
            {
                return;
            }
        }
        catch (ArgumentException)
        {
            return;
        }
    }
}
