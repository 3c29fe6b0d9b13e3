using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

public sealed class RunApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    [Fact]
    public async Task An_operator_key_starts_a_run_with_parameters_and_the_detail_has_the_journal_artifacts_metrics_and_its_definition()
    {
        var hash = await S.SaveAsync("""
            {
              "id": "runs-train",
              "parameters": { "steps": { "type": "int", "default": 3 }, "text": { "type": "string", "default": "x" } },
              "nodes": [
                { "id": "train", "activity": "test.Train", "inputs": { "steps": "${params.steps}", "delayMs": 5 } },
                { "id": "write", "activity": "test.WriteText", "inputs": { "text": "${params.text}" } }
              ],
              "outputs": { "loss": "${nodes.train.finalLoss}", "file": "${nodes.write.file}" }
            }
            """);
        using var key = S.WithKey();
        var started = await key.PostAsJsonAsync("api/runs", new { workflowId = "runs-train", parameters = new { steps = 4, text = "artifact body ✓" } });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var runId = (await TestServer.ReadJsonAsync(started))["runId"].Str();

        var detail = await S.WaitForRunAsync(key, runId);
        Assert.Equal("Succeeded", detail["run"]!["status"].Str());
        Assert.Equal("operator", detail["run"]!["startedBy"].Str());
        Assert.Equal(hash, detail["run"]!["definitionHash"].Str());
        Assert.Equal(hash, detail["definition"]!["hash"].Str());
        var parameters = JsonNode.Parse(detail["run"]!["parametersJson"].Str())!;
        Assert.Equal(4, parameters["steps"]!.GetValue<int>());
        Assert.Equal("artifact body ✓", parameters["text"].Str());
        var train = detail["steps"]!.AsArray().Single(s => s!["nodeId"].Str() == "train")!;
        Assert.Equal(1, train["attempt"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(train["worker"].Str()));
        Assert.Contains("\"steps\":4", train["inputsJson"].Str());
        Assert.Contains(detail["events"]!.AsArray(), e => e!["kind"].Str() == "log" && e["message"].Str().Contains("trained 4 steps", StringComparison.Ordinal));
        Assert.Equal(8, detail["metrics"]!.AsArray().Count);

        // The artifact downloads by hash, with its name.
        var artifact = detail["artifacts"]!.AsArray().Single(a => a!["name"].Str() == "text.txt")!;
        var download = await key.GetAsync($"api/artifacts/{artifact["hash"].Str()}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("artifact body ✓", await download.Content.ReadAsStringAsync());
        Assert.Equal("text.txt", download.Content.Headers.ContentDisposition!.FileNameStar ?? download.Content.Headers.ContentDisposition.FileName);

        // The run is in the filtered list, and the audit log says who started it.
        var list = (await TestServer.ReadJsonAsync(await key.GetAsync("api/runs?workflow=runs-train&status=Succeeded&trigger=manual"))).AsArray();
        Assert.Contains(list, r => r!["id"].Str() == runId);
        Assert.Empty((await TestServer.ReadJsonAsync(await key.GetAsync("api/runs?workflow=runs-train&status=Failed"))).AsArray());
        Assert.Contains((await TestServer.ReadJsonAsync(await key.GetAsync($"api/runs?version={hash}"))).AsArray(), r => r!["id"].Str() == runId);
        Assert.Empty((await TestServer.ReadJsonAsync(await key.GetAsync($"api/runs?version={new string('0', 64)}"))).AsArray());
        Assert.Empty((await TestServer.ReadJsonAsync(await key.GetAsync($"api/runs?workflow=runs-train&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("o"))}"))).AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await key.GetAsync("api/runs?status=Sleeping")).StatusCode);
        var audit = (await TestServer.ReadJsonAsync(await key.GetAsync($"api/audit?target={runId}"))).AsArray();
        Assert.Equal("operator (key:", audit.Single()!["actor"].Str()[..14]);
        Assert.Equal("run.start", audit.Single()!["action"].Str());
    }

    [Fact]
    public async Task Artifact_names_outside_the_store_are_refused()
    {
        using var viewer = await S.LoginAsync(Roles.Viewer);
        foreach (var attempt in new[] { "..%2F..%2Fruns.db", "%2e%2e%2f%2e%2e%2fruns.db", "..%5C..%5Cruns.db", "%2Fetc%2Fpasswd", new string('A', 64), new string('a', 63) + "/" , "runs.db" })
        {
            var response = await viewer.GetAsync($"api/artifacts/{attempt}");
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{attempt}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("SQLite format", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var traversal = await viewer.GetAsync("api/artifacts/..%2F..%2Fruns.db");
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"api/artifacts/{new string('0', 64)}")).StatusCode);
    }

    [Fact]
    public async Task A_failed_run_is_retried_from_its_failed_step_and_a_running_run_is_cancelled_each_once()
    {
        var key = Guid.NewGuid().ToString("N");
        await S.SaveAsync($$"""
            {
              "id": "runs-retry",
              "nodes": [
                { "id": "flaky", "activity": "test.Flaky", "inputs": { "key": "{{key}}", "failures": 1 }, "cache": false },
                { "id": "after", "activity": "test.Constant", "inputs": { "value": "${nodes.flaky.attempt}" } }
              ]
            }
            """);
        using var op = await S.LoginAsync(Roles.Operator);
        var runId = (await TestServer.ReadJsonAsync(await op.PostAsJsonAsync("api/runs", new { workflowId = "runs-retry" })))["runId"].Str();
        var failed = await S.WaitForRunAsync(op, runId);
        Assert.Equal("Failed", failed["run"]!["status"].Str());

        var retry = await op.PostAsync($"api/runs/{runId}/retry", null);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var done = await S.WaitForRunAsync(op, runId);
        Assert.Equal("Succeeded", done["run"]!["status"].Str());
        Assert.Equal(2, done["steps"]!.AsArray().Single(s => s!["nodeId"].Str() == "flaky")!["attempt"]!.GetValue<int>());
        var again = await op.PostAsync($"api/runs/{runId}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("only a failed run", await again.Content.ReadAsStringAsync());

        await S.SaveAsync("""{ "id": "runs-cancel", "nodes": [ { "id": "sleep", "activity": "test.Sleep", "inputs": { "milliseconds": 30000 } } ] }""");
        var sleeping = (await TestServer.ReadJsonAsync(await op.PostAsJsonAsync("api/runs", new { workflowId = "runs-cancel" })))["runId"].Str();
        var cancel = await op.PostAsync($"api/runs/{sleeping}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var cancelled = await S.WaitForRunAsync(op, sleeping);
        Assert.Equal("Cancelled", cancelled["run"]!["status"].Str());
        Assert.Equal(HttpStatusCode.Conflict, (await op.PostAsync($"api/runs/{sleeping}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsync("api/runs/no-such-run/cancel", null)).StatusCode);

        var actions = (await TestServer.ReadJsonAsync(await op.GetAsync("api/audit"))).AsArray()
            .Where(a => a!["target"].Str() == runId || a["target"].Str() == sleeping).Select(a => $"{a!["action"].Str()} {a["actor"].Str()}").ToList();
        Assert.Contains("run.retry operator", actions);
        Assert.Contains("run.cancel operator", actions);
        Assert.Equal(2, actions.Count(a => a == "run.start operator"));
    }

    [Fact]
    public async Task Bad_run_requests_get_problem_details_saying_what_is_wrong()
    {
        await S.SaveAsync("""{ "id": "runs-params", "parameters": { "n": { "type": "int" } }, "nodes": [ { "id": "c", "activity": "test.Constant", "inputs": { "value": "${params.n}" } } ] }""");
        using var op = await S.LoginAsync(Roles.Operator);
        var missing = await op.PostAsJsonAsync("api/runs", new { workflowId = "runs-params" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Contains("n", (await TestServer.ReadJsonAsync(missing))["errors"]!.AsArray().Single()!["field"].Str());
        var wrongType = await op.PostAsJsonAsync("api/runs", new { workflowId = "runs-params", parameters = new { n = "seven" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsJsonAsync("api/runs", new { workflowId = "no-such-workflow" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostAsync("api/runs", TestServer.Json("{ not json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.GetAsync("api/runs/no-such-run")).StatusCode);
        Assert.Empty((await TestServer.ReadJsonAsync(await op.GetAsync("api/runs?workflow=runs-params"))).AsArray());
    }

    [Fact]
    public async Task The_live_stream_sends_run_state_and_journal_entries_until_the_run_ends()
    {
        await S.SaveAsync("""{ "id": "runs-stream", "nodes": [ { "id": "train", "activity": "test.Train", "inputs": { "steps": 5, "delayMs": 50 } } ] }""");
        using var op = await S.LoginAsync(Roles.Operator);
        var runId = (await TestServer.ReadJsonAsync(await op.PostAsJsonAsync("api/runs", new { workflowId = "runs-stream" })))["runId"].Str();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await op.GetAsync($"api/runs/{runId}/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<(string Name, JsonNode Data)>();
        string? name = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((name!, JsonNode.Parse(line[6..])!));
            }
        }

        Assert.Equal("end", events[^1].Name);
        Assert.Equal("Succeeded", events[^1].Data["status"].Str());
        var states = events.Where(e => e.Name == "run").Select(e => e.Data["run"]!["status"].Str()).ToList();
        Assert.Equal("Succeeded", states[^1]);
        Assert.True(events.Count(e => e.Name == "run") >= 2, "the stream reports changes as they happen");
        var journal = events.Where(e => e.Name == "journal").SelectMany(e => e.Data.AsArray()).ToList();
        Assert.Contains(journal, j => j!["status"]?.GetValue<string>() == "Running");
        Assert.Contains(journal, j => j!["status"]?.GetValue<string>() == "Succeeded");
        Assert.Equal(10, events.Where(e => e.Name == "metrics").Sum(e => e.Data.AsArray().Count));
        Assert.Equal(journal.Count, journal.Select(j => j!["id"]!.GetValue<long>()).Distinct().Count());
    }
}
