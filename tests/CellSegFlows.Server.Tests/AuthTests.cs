using System.Net;
using System.Net.Http.Json;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

public sealed class AuthTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    private const string Tiny = """{ "id": "auth-tiny", "nodes": [ { "id": "a", "activity": "test.Constant", "inputs": { "value": 1 } } ] }""";

    [Fact]
    public async Task Without_credentials_the_api_answers_401_problem_details_and_a_wrong_password_is_refused()
    {
        using var anonymous = S.Anonymous();
        var response = await anonymous.GetAsync("api/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Not signed in", await response.Content.ReadAsStringAsync());

        var login = await anonymous.PostAsJsonAsync("api/auth/login", new { userName = "admin", password = "wrong-password" });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/workflows")).StatusCode);

        using var badKey = S.WithKey("csf_00000000_not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await badKey.GetAsync("api/runs")).StatusCode);
    }

    [Fact]
    public async Task Each_role_is_refused_what_it_may_not_do()
    {
        using var viewer = await S.LoginAsync(Roles.Viewer);
        using var editor = await S.LoginAsync(Roles.Editor);
        using var op = await S.LoginAsync(Roles.Operator);
        using var admin = await S.LoginAsync(Roles.Admin);

        // Everyone reads.
        foreach (var client in new[] { viewer, editor, op, admin })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/workflows")).StatusCode);
        }

        // viewer: no definitions, no runs, no users.
        await AssertForbiddenAsync(await viewer.PostAsync("api/workflows", TestServer.Json(Tiny)));
        await AssertForbiddenAsync(await viewer.PostAsJsonAsync("api/runs", new { workflowId = "auth-tiny" }));
        await AssertForbiddenAsync(await viewer.GetAsync("api/users"));

        // editor: definitions yes, runs no.
        Assert.Equal(HttpStatusCode.Created, (await editor.PostAsync("api/workflows", TestServer.Json(Tiny))).StatusCode);
        await AssertForbiddenAsync(await editor.PostAsJsonAsync("api/runs", new { workflowId = "auth-tiny" }));
        await AssertForbiddenAsync(await editor.PostAsync("api/ops/scheduler/pause", null));

        // operator: runs yes, definitions and users no.
        await AssertForbiddenAsync(await op.PostAsync("api/workflows", TestServer.Json(Tiny.Replace("\"value\": 1", "\"value\": 2", StringComparison.Ordinal))));
        await AssertForbiddenAsync(await op.PostAsJsonAsync("api/users", new { name = "mallory", role = "admin", password = "12345678" }));
        var started = await op.PostAsJsonAsync("api/runs", new { workflowId = "auth-tiny" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);

        // The operator's API key acts as the operator: same refusals.
        using var key = S.WithKey();
        await AssertForbiddenAsync(await key.PostAsync("api/workflows", TestServer.Json(Tiny)));
        await AssertForbiddenAsync(await key.GetAsync("api/keys"));

        // admin: users and keys.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("api/users", new { name = "robot", role = "viewer", password = (string?)null })).StatusCode);
        var newKey = await TestServer.ReadJsonAsync(await admin.PostAsJsonAsync("api/keys", new { userName = "robot", label = "dashboards" }));
        using var robot = S.WithKey(newKey["key"].Str());
        Assert.Equal(HttpStatusCode.OK, (await robot.GetAsync("api/runs")).StatusCode);
        var listed = (await TestServer.ReadJsonAsync(await admin.GetAsync("api/keys"))).AsArray().Single(k => k!["id"].Str() == newKey["id"].Str())!;
        Assert.NotNull(listed["lastUsedAt"]);
        Assert.DoesNotContain(newKey["key"].Str(), listed.ToJsonString(), StringComparison.Ordinal);
        await AssertForbiddenAsync(await robot.PostAsJsonAsync("api/runs", new { workflowId = "auth-tiny" }));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/keys/{newKey["id"].Str()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await robot.GetAsync("api/runs")).StatusCode);
    }

    [Fact]
    public async Task Passwords_are_stored_hashed_with_a_salt_per_user()
    {
        var viewer = await S.Host.Users.FindAsync(Roles.Viewer);
        var editor = await S.Host.Users.FindAsync(Roles.Editor);
        Assert.StartsWith("pbkdf2-sha256$", viewer!.PasswordHash);
        Assert.DoesNotContain(TestServer.Password(Roles.Viewer), viewer.PasswordHash, StringComparison.Ordinal);
        Assert.NotEqual(viewer.PasswordHash!.Split('$')[2], editor!.PasswordHash!.Split('$')[2]);
        Assert.True(PasswordHasher.Verify(TestServer.Password(Roles.Viewer), viewer.PasswordHash));
        Assert.False(PasswordHasher.Verify("viewer-password!", viewer.PasswordHash));
    }

    [Fact]
    public async Task A_disabled_user_loses_a_session_already_open()
    {
        await S.Host.Users.AddAsync("leaver", Roles.Viewer, "leaver-password", "test");
        using var leaver = S.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await leaver.PostAsJsonAsync("api/auth/login", new { userName = "leaver", password = "leaver-password" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await leaver.GetAsync("api/auth/me")).StatusCode);
        await S.Host.Users.UpdateAsync("leaver", null, null, disabled: true, "test");
        Assert.Equal(HttpStatusCode.Unauthorized, (await leaver.GetAsync("api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Repeated_failed_logins_for_a_name_are_refused_for_a_while_and_others_are_not_held_up()
    {
        await S.Host.Users.AddAsync("target", Roles.Viewer, "target-password", "test");
        using var client = S.Anonymous();
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("api/auth/login", new { userName = "target", password = $"guess-{i}" })).StatusCode);
        }

        // Even the right password waits now; the answer says for how long.
        var refused = await client.PostAsJsonAsync("api/auth/login", new { userName = "target", password = "target-password" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null);
        Assert.Contains("Too many failed logins", await refused.Content.ReadAsStringAsync());

        using var other = await S.LoginAsync(Roles.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("api/auth/me")).StatusCode);
    }

    private static async Task AssertForbiddenAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Not allowed", body);
    }
}
