using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Activities;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.TestHost;
using CellSegFlows.Server;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port) around a real engine with a SQLite run store in a fresh
/// folder, with one user per role (password <c>ROLE-password</c>) and an API key for the operator.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(string home, WorkflowEngine engine, ServerHost host, string operatorKey)
    {
        Home = home;
        Engine = engine;
        Host = host;
        OperatorKey = operatorKey;
        BaseAddress = new Uri(host.Addresses.First(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)) + "/");
    }

    public string Home { get; }

    public WorkflowEngine Engine { get; }

    public ServerHost Host { get; }

    public Uri BaseAddress { get; }

    public string OperatorKey { get; }

    public static async Task<TestServer> StartAsync(string? studioRoot = null, Func<EngineOptions, EngineOptions>? configure = null)
    {
        var home = TestPaths.NewTempFolder();
        var registry = ActivityCatalog.Create().AddFrom(typeof(ConstantActivity).Assembly);
        var options = new EngineOptions { Home = home, Threads = 4, TriggerSyncInterval = TimeSpan.FromSeconds(1) };
        var engine = await WorkflowEngine.StartAsync(configure is null ? options : configure(options), registry);
        var host = await ServerHost.StartAsync(engine, new ServerOptions { Urls = ["http://127.0.0.1:0"], StudioRoot = studioRoot ?? Path.Combine(home, "no-studio"), StreamPollInterval = TimeSpan.FromMilliseconds(150), RunReportPage = Activities.Analysis.RunReportSourcesFromRun.PageAsync, RunComparison = Activities.Analysis.RunReportSourcesFromRun.CompareAsync });
        foreach (var role in Roles.All)
        {
            await host.Users.AddAsync(role, role, Password(role), "test");
        }

        var key = await host.Users.CreateKeyAsync(Roles.Operator, "ci", "test");
        return new TestServer(home, engine, host, key.Key);
    }

    public static string Password(string role) => $"{role}-password";

    /// <summary>A client with no credentials.</summary>
    public HttpClient Anonymous() => new(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = BaseAddress };

    /// <summary>A client signed in (cookie) as the user of that role.</summary>
    public async Task<HttpClient> LoginAsync(string role)
    {
        var client = Anonymous();
        var response = await client.PostAsJsonAsync("api/auth/login", new { userName = role, password = Password(role) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return client;
    }

    /// <summary>A client using the operator's API key.</summary>
    public HttpClient WithKey(string? key = null)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Add("X-Api-Key", key ?? OperatorKey);
        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    /// <summary>Saves a definition as the editor and returns its hash.</summary>
    public async Task<string> SaveAsync(string json)
    {
        using var editor = await LoginAsync(Roles.Editor);
        var response = await editor.PostAsync("api/workflows", Json(json));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await ReadJsonAsync(response))["version"]!["hash"]!.GetValue<string>();
    }

    /// <summary>Waits (at most 60 s) until the run has finished; returns its detail.</summary>
    public async Task<JsonNode> WaitForRunAsync(HttpClient client, string runId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Engine.WaitForRunAsync(runId, null, timeout.Token);
        return await ReadJsonAsync(await client.GetAsync($"api/runs/{runId}"));
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Engine.DisposeAsync();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class JsonAssert
{
    public static string Str(this JsonNode? node) => node!.GetValue<string>();

    public static JsonElement Problem(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }
}
