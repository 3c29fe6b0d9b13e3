using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.TestHost;

// A worker process for engine tests:
//   run HOME WORKFLOW.json [name=value ...]   start a run, print "RUN <id>", wait, print "STATUS <status>"
//   resume HOME RUN_ID                          start the engine (recovery + reconcile), wait, print "STATUS <status>"
//   worker HOME QUARTZ_PG RUN_STORE QUEUES      serve steps from a clustered store until killed
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: run HOME WORKFLOW [k=v...] | resume HOME RUN_ID | worker HOME QUARTZ_PG RUN_STORE QUEUES NAME");
    return 2;
}

var registry = new ActivityRegistry().AddFrom(typeof(ConstantActivity).Assembly);
var options = args[0] == "worker"
    ? new EngineOptions
    {
        Home = args[1],
        QuartzPostgres = args[2],
        RunStore = CellSegFlows.Engine.Store.RunStoreOptions.Parse(args[3]),
        Queues = args[4].Split(','),
        WorkerName = args.Length > 5 ? args[5] : $"worker-{Environment.ProcessId}",
    }
    : new EngineOptions { Home = args[1] };
await using var engine = await WorkflowEngine.StartAsync(options, registry);
switch (args[0])
{
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
        await Task.Delay(Timeout.Infinite);
        return 0;
    default:
        Console.Error.WriteLine($"unknown command {args[0]}");
        return 2;
}
