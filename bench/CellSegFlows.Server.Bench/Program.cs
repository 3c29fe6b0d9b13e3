using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Server;
using CellSegFlows.Server.Auth;
using Microsoft.Extensions.Logging;

// Usage: dotnet run -c Release --project bench/CellSegFlows.Server.Bench -- [--runs N] [--repeat N]
// Fills a SQLite run store with N runs (default 100,000: 20 workflows over a year, statuses, triggers and parameters
// spread as a busy team's would be), starts the real server on 127.0.0.1, and times typical runs-list requests
// end to end (request sent to body read) with an API key, --repeat times each (default 60) after 5 untimed ones.
// Prints p50, p95 and max per query, and the machine's load average before and after. The store is filled afresh each
// time (its Running runs have no steps or definitions, so an engine restarted on it would fail to reconcile them).
var runCount = Option("--runs", 100_000);
var repeat = Option("--repeat", 60);
var home = Path.Combine(Path.GetTempPath(), "cellsegflows-server-bench", Guid.NewGuid().ToString("N"));
Console.WriteLine($"server bench: {Environment.ProcessorCount} cores, {runCount:N0} runs, {repeat} timed requests per query, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");

await using (var engine = await WorkflowEngine.StartAsync(new EngineOptions { Home = home, Threads = 1 }, new ActivityRegistry()))
{
    var fillClock = Stopwatch.StartNew();
    await FillAsync(engine, runCount);
    Console.WriteLine($"filled {runCount:N0} runs in {fillClock.Elapsed.TotalSeconds:0.0} s; store {new FileInfo(Path.Combine(home, "runs.db")).Length / 1048576.0:0.0} MiB; load average {File.ReadAllText("/proc/loadavg").Trim()}");

    await using var server = await ServerHost.StartAsync(engine, new ServerOptions { Urls = ["http://127.0.0.1:0"], StudioRoot = Path.Combine(home, "no-studio") }, logging: l => l.ClearProviders());
    await server.Users.AddAsync("bench", Roles.Viewer, null, "bench");
    var key = await server.Users.CreateKeyAsync("bench", "bench", "bench");
    using var http = new HttpClient { BaseAddress = new Uri(server.Addresses.First(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)) + "/") };
    http.DefaultRequestHeaders.Add("X-Api-Key", key.Key);

    var week = DateTimeOffset.UtcNow.AddDays(-200);
    var queries = new (string Name, string Query)[]
    {
        ("first page (100)", "limit=100"),
        ("one workflow", "workflow=wf-07"),
        ("status Failed", "status=Failed"),
        ("workflow + status Running", "workflow=wf-03&status=Running"),
        ("trigger annotation", "trigger=annotation"),
        ("one week", $"from={Uri.EscapeDataString(week.ToString("o"))}&to={Uri.EscapeDataString(week.AddDays(7).ToString("o"))}"),
        ("workflow + week + Succeeded", $"workflow=wf-11&status=Succeeded&from={Uri.EscapeDataString(week.ToString("o"))}&to={Uri.EscapeDataString(week.AddDays(7).ToString("o"))}"),
        ("search common (a172)", "q=a172"),
        ("search rare (one run)", $"q=run-note-{runCount / 2}"),
        ("search absent", "q=no-such-value"),
        ("page 50 via cursor", "CURSOR:50"),
        ("1000 a page", "limit=1000"),
    };

    Console.WriteLine($"{"query",-30} {"rows",5} {"p50 ms",8} {"p95 ms",8} {"max ms",8}");
    foreach (var (name, query) in queries)
    {
        var path = query.StartsWith("CURSOR:", StringComparison.Ordinal) ? await DeepPageAsync(http, int.Parse(query[7..], CultureInfo.InvariantCulture)) : $"api/runs?{query}";
        var times = new List<double>();
        var rows = 0;
        for (var i = 0; i < repeat + 5; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsStringAsync();
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (i >= 5)
            {
                times.Add(elapsed);
            }

            rows = JsonNode.Parse(body)!.AsArray().Count;
        }

        times.Sort();
        Console.WriteLine($"{name,-30} {rows,5} {Percentile(times, 0.50),8:0.0} {Percentile(times, 0.95),8:0.0} {times[^1],8:0.0}");
    }
}

Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
Directory.Delete(home, recursive: true);

// The address of page N of the whole list (walked with cursors, as a client pages).
static async Task<string> DeepPageAsync(HttpClient http, int page)
{
    var path = "api/runs?limit=100";
    for (var i = 1; i < page; i++)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        path = $"api/runs?limit=100&cursor={response.Headers.GetValues("X-Next-Cursor").Single()}";
    }

    return path;
}

static async Task FillAsync(WorkflowEngine engine, int count)
{
    string[] cellTypes = ["a172", "bt474", "bv2", "huh7", "mcf7", "shsy5y", "skov3", "sksh"];
    string[] triggers = ["manual", "manual", "cron", "cron", "cron", "annotation", "resume"];
    var random = new Random(20261207);
    var start = DateTimeOffset.UtcNow.AddDays(-365);
    const int Batch = 5000;
    for (var done = 0; done < count; done += Batch)
    {
        var runs = new List<RunRecord>(Batch);
        for (var i = done; i < Math.Min(count, done + Batch); i++)
        {
            var created = start.AddSeconds(365.0 * 86400 * i / count + random.NextDouble());
            var roll = random.Next(100);
            var status = roll < 80 ? RunStatus.Succeeded : roll < 92 ? RunStatus.Failed : roll < 96 ? RunStatus.Cancelled : roll < 99 ? RunStatus.Running : RunStatus.Pending;
            var parameters = new JsonObject
            {
                ["cellType"] = cellTypes[random.Next(cellTypes.Length)],
                ["seed"] = random.Next(1_000_000),
                ["learningRate"] = Math.Round(random.NextDouble() / 100, 5),
                ["imagesPerCellType"] = random.Next(1, 50),
                ["note"] = $"run-note-{i}",
            };
            runs.Add(new RunRecord
            {
                Id = $"{created:yyyyMMdd-HHmmss}-{random.Next(0x1000000):x6}", WorkflowId = $"wf-{random.Next(20):D2}", DefinitionHash = $"{random.Next(60):x2}".PadRight(64, 'a'),
                ParametersJson = parameters.ToJsonString(), Trigger = triggers[random.Next(triggers.Length)], StartedBy = random.Next(3) == 0 ? "nightly" : $"user{random.Next(8)}",
                Status = status, CreatedAt = created, FinishedAt = status is RunStatus.Running or RunStatus.Pending ? null : created.AddMinutes(random.Next(1, 240)),
                Error = status == RunStatus.Failed ? "step train failed: CUDA out of memory (pretend)" : null,
            });
        }

        await engine.Store.WriteAsync(async db =>
        {
            db.Runs.AddRange(runs);
            await Task.CompletedTask;
            return 0;
        });
    }
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
