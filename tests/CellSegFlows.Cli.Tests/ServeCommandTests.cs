using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Spectre.Console;
using Spectre.Console.Testing;

namespace CellSegFlows.Cli.Tests;

public sealed class ServeCommandTests
{
    [Fact]
    public async Task Users_add_list_and_key_manage_the_server_users_and_refuse_bad_input()
    {
        var home = TestPaths.NewTempFolder();
        var password = Path.Combine(home, "alice.txt");
        await File.WriteAllTextAsync(password, "alice-password\n");

        var (code, output) = await CliRunner.RunAsync("users", "add", "alice", "--role", "editor", "--password-file", password, "--home", home);
        Assert.True(code == 0, output);
        Assert.Contains("added user alice with role editor", output);

        (code, output) = await CliRunner.RunAsync("users", "add", "alice", "--role", "viewer", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("user 'alice' exists already", output);
        (code, output) = await CliRunner.RunAsync("users", "add", "bob", "--role", "boss", "--home", home);
        Assert.Equal(2, code);
        Assert.Contains("role 'boss': one of viewer, editor, operator, admin", output);

        (code, output) = await CliRunner.RunAsync("users", "key", "alice", "--label", "ci", "--home", home);
        Assert.True(code == 0, output);
        Assert.Matches(@"csf_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", output);

        (code, output) = await CliRunner.RunAsync("users", "list", "--home", home);
        Assert.Equal(0, code);
        Assert.Contains("alice", output);
        Assert.Contains("editor", output);
        Assert.DoesNotContain("alice-password", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_listens_on_127_0_0_1_bootstraps_the_admin_and_stops_when_cancelled()
    {
        var home = TestPaths.NewTempFolder();
        var password = Path.Combine(home, "admin.txt");
        await File.WriteAllTextAsync(password, "admin-password");
        var console = new TestConsole().Width(240);
        console.Profile.Capabilities.Interactive = false;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var serving = CliApp.RunAsync(["serve", "--urls", "http://127.0.0.1:0", "--admin-password-file", password, "--home", home], console, stop.Token);

        Match match;
        while (!(match = Regex.Match(console.Output, @"serving (http://127\.0\.0\.1:\d+)")).Success)
        {
            Assert.False(serving.IsCompleted, console.Output);
            await Task.Delay(100, stop.Token);
        }

        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(match.Groups[1].Value) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = "admin-password" })).StatusCode);
        var me = await client.GetFromJsonAsync<Dictionary<string, object>>("/api/auth/me");
        Assert.Equal("admin", me!["role"].ToString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);

        await stop.CancelAsync();
        Assert.Equal(0, await serving);
    }
}

public sealed class ServeBindingTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", false)]
    [InlineData("http://localhost:5080", false)]
    [InlineData("http://[::1]:5080", false)]
    [InlineData("https://0.0.0.0:5443", false)]
    [InlineData("http://0.0.0.0:5080", true)]
    [InlineData("http://[::]:5080", true)]
    [InlineData("http://*:5080", true)]
    [InlineData("http://192.168.1.20:5080", true)]
    [InlineData("http://cells.example.org", true)]
    public void Plain_http_beyond_loopback_is_told_apart(string url, bool remote) =>
        Assert.Equal(remote, CellSegFlows.Cli.Commands.ServeCommand.IsRemotePlainHttp(url));

    [Fact]
    public async Task Serving_plain_http_on_every_interface_is_refused_without_allow_remote()
    {
        var home = TestPaths.NewTempFolder();
        var (code, output, errors) = await CliRunner.RunSplitAsync("serve", "--home", home, "--urls", "http://0.0.0.0:0");
        Assert.Equal(2, code);
        Assert.Contains("--urls http://0.0.0.0:0: plain HTTP beyond this machine", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("serving", output, StringComparison.Ordinal);
    }
}
