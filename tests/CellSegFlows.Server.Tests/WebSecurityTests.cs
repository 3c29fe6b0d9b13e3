using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using CellSegFlows.Server.Auth;
using CellSegFlows.Server.Security;

namespace CellSegFlows.Server.Tests;

/// <summary>Browser protections on every response, the Origin check for cookie-authenticated writes, the login throttle and its timing.</summary>
public sealed class WebSecurityTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    [Theory]
    [InlineData("/")]
    [InlineData("/api/auth/me")]
    [InlineData("/api/no-such-endpoint")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api/artifacts/..%2F..%2Fruns.db")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        using var client = S.Anonymous();
        using var response = await client.GetAsync(path);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Cross-Origin-Opener-Policy")));
        Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS only over HTTPS");
    }

    [Fact]
    public async Task A_cookie_authenticated_write_from_another_origin_is_refused()
    {
        using var editor = await S.LoginAsync(Roles.Editor);
        const string definition = """{ "id": "origin-check", "nodes": [ { "id": "a", "activity": "test.Constant", "inputs": { "value": 1 } } ] }""";

        using var forged = new HttpRequestMessage(HttpMethod.Post, "api/workflows") { Content = TestServer.Json(definition) };
        forged.Headers.Add("Origin", "http://evil.example");
        var refused = await editor.SendAsync(forged);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Cross-origin request refused", await refused.Content.ReadAsStringAsync());

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "api/workflows") { Content = TestServer.Json(definition) };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.SendAsync(crossSite)).StatusCode);

        using var own = new HttpRequestMessage(HttpMethod.Post, "api/workflows") { Content = TestServer.Json(definition) };
        own.Headers.Add("Origin", S.BaseAddress.GetLeftPart(UriPartial.Authority));
        own.Headers.Add("Sec-Fetch-Site", "same-origin");
        Assert.True((await editor.SendAsync(own)).IsSuccessStatusCode);

        // A forged login (login CSRF) is refused too; an API key is not a cookie, so its origin does not matter.
        using var anonymous = S.Anonymous();
        using var login = new HttpRequestMessage(HttpMethod.Post, "api/auth/login") { Content = JsonContent.Create(new { userName = Roles.Viewer, password = TestServer.Password(Roles.Viewer) }) };
        login.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(login)).StatusCode);
        using var key = S.WithKey();
        using var keyed = new HttpRequestMessage(HttpMethod.Post, "api/runs") { Content = JsonContent.Create(new { workflowId = "origin-check" }) };
        keyed.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Created, (await key.SendAsync(keyed)).StatusCode);
    }

    [Fact]
    public async Task A_definition_over_the_size_limit_is_refused_with_413_before_it_is_parsed()
    {
        using var editor = await S.LoginAsync(Roles.Editor);
        var huge = "{\"id\":\"huge\",\"description\":\"" + new string('x', (4 << 20) + 10) + "\",\"nodes\":[]}";
        var response = await editor.PostAsync("api/workflows", TestServer.Json(huge));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_user_takes_as_long_to_refuse_as_a_wrong_password()
    {
        await S.Host.Users.AddAsync("timing-on", Roles.Viewer, "right-password-1", "test");
        await S.Host.Users.AddAsync("timing-off", Roles.Viewer, "right-password-2", "test");
        await S.Host.Users.UpdateAsync("timing-off", null, null, disabled: true, "test");
        static async Task<TimeSpan> Time(Func<Task> check)
        {
            var best = TimeSpan.MaxValue;
            for (var i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                await check();
                best = clock.Elapsed < best ? clock.Elapsed : best;
            }

            return best;
        }

        var wrong = await Time(() => S.Host.Users.CheckPasswordAsync("timing-on", "nope"));
        var disabled = await Time(() => S.Host.Users.CheckPasswordAsync("timing-off", "right-password-2"));
        Assert.Null(await S.Host.Users.CheckPasswordAsync("timing-off", "right-password-2"));
        // PBKDF2 at 100,000 iterations takes tens of milliseconds; an early answer takes well under one.
        Assert.True(disabled > wrong * 0.5, $"disabled {disabled.TotalMilliseconds:F1} ms vs wrong password {wrong.TotalMilliseconds:F1} ms");
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void The_throttle_counts_per_name_and_address_and_per_address_so_nobody_locks_a_name_out_from_elsewhere()
    {
        var clock = new ManualClock();
        var throttle = new LoginThrottle(clock);
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            throttle.Failed("admin", "203.0.113.7");
        }

        Assert.True(throttle.RetryAfter("admin", "203.0.113.7").Wait > TimeSpan.Zero);
        Assert.Contains("for 'admin' from this address", throttle.RetryAfter("admin", "203.0.113.7").Reason, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("admin", "198.51.100.2").Wait);      // the real admin elsewhere is not locked out
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("alice", "203.0.113.7").Wait);

        for (var i = 0; i < LoginThrottle.MaxFailuresPerAddress; i++)
        {
            throttle.Failed($"name-{i}", "192.0.2.9");                                          // many names from one address
        }

        Assert.Contains("from this address", throttle.RetryAfter("anyone", "192.0.2.9").Reason, StringComparison.Ordinal);
        clock.Now += LoginThrottle.Window + TimeSpan.FromSeconds(1);
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("anyone", "192.0.2.9").Wait);
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("admin", "203.0.113.7").Wait);
    }
}
