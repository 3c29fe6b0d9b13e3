using System.Security.Claims;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Server.Api.Contracts;
using CellSegFlows.Server.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CellSegFlows.Server.Api;

/// <summary>Login body.</summary>
public sealed record LoginRequest(string UserName, string Password);

/// <summary>Who is signed in.</summary>
public sealed record Me(string Name, string Role, string Via, IReadOnlyList<string> Can);

/// <summary>A new user.</summary>
public sealed record NewUserRequest(string Name, string Role, string? Password);

/// <summary>Changes to a user (null: unchanged).</summary>
public sealed record UpdateUserRequest(string? Role, string? Password, bool? Disabled);

/// <summary>A new API key.</summary>
public sealed record NewKeyRequest(string UserName, string? Label);

/// <summary>Login and logout (cookie), who am I, users, API keys and the audit log.</summary>
internal static class AuthEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Auth");
        auth.MapPost("/login", LoginAsync).AllowAnonymous()
            .WithSummary("Sign in with a user name and password; sets the studio's session cookie.");
        auth.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).AllowAnonymous().WithSummary("Sign out.");
        auth.MapGet("/me", (ClaimsPrincipal user) => MeOf(user)).WithSummary("The signed-in user, the role, and what that role may do.");

        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(Roles.Policies.Administer);
        users.MapGet("/", (UserStore store, CancellationToken ct) => store.ListAsync(ct)).WithSummary("Every user (admin).");
        users.MapPost("/", async (NewUserRequest body, UserStore store, ClaimsPrincipal who, CancellationToken ct) =>
        {
            var created = await store.AddAsync(body.Name, body.Role, body.Password, Principals.Actor(who), ct).ConfigureAwait(false);
            return TypedResults.Created($"/api/users/{created.Name}", created);
        }).WithSummary("Add a user with a role (admin).");
        users.MapPatch("/{name}", async Task<Results<NoContent, ProblemHttpResult>> (string name, UpdateUserRequest body, UserStore store, ClaimsPrincipal who, CancellationToken ct) =>
            await store.UpdateAsync(name, body.Role, body.Password, body.Disabled, Principals.Actor(who), ct).ConfigureAwait(false)
                ? TypedResults.NoContent()
                : ProblemResponses.Problem(404, "No such user", $"no user '{name}'"))
            .WithSummary("Change a user's role, password or disabled flag (admin).");

        var keys = api.MapGroup("/keys").WithTags("Users").RequireAuthorization(Roles.Policies.Administer);
        keys.MapGet("/", (UserStore store, CancellationToken ct) => store.ListKeysAsync(ct)).WithSummary("Every API key, without secrets (admin).");
        keys.MapPost("/", async (NewKeyRequest body, UserStore store, ClaimsPrincipal who, CancellationToken ct) =>
        {
            var key = await store.CreateKeyAsync(body.UserName, body.Label, Principals.Actor(who), ct).ConfigureAwait(false);
            return TypedResults.Created($"/api/keys/{key.Id}", key);
        }).WithSummary("Create an API key acting as a user; the key is in this answer only (admin).");
        keys.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, UserStore store, ClaimsPrincipal who, CancellationToken ct) =>
            await store.RevokeKeyAsync(id, Principals.Actor(who), ct).ConfigureAwait(false)
                ? TypedResults.NoContent()
                : ProblemResponses.Problem(404, "No such key", $"no API key '{id}'"))
            .WithSummary("Revoke an API key (admin).");

        api.MapGet("/audit", async (WorkflowEngine engine, string? target, int? limit, CancellationToken ct) =>
                (await AuditLog.ListAsync(engine.Store, target, limit ?? 200, ct).ConfigureAwait(false)).ToDtos(ContractMapping.ToDto))
            .WithTags("Auth").WithSummary("Who changed what and when (definition saves, runs started, cancelled, retried; users and keys), newest first.");
    }

    private static async Task<Results<Ok<Me>, ProblemHttpResult>> LoginAsync(LoginRequest body, UserStore store, LoginThrottle throttle, HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(body.UserName) || string.IsNullOrEmpty(body.Password))
        {
            return ProblemResponses.Problem(400, "Bad login", "userName and password are required");
        }

        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var (wait, reason) = throttle.RetryAfter(body.UserName, address);
        if (wait > TimeSpan.Zero)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ProblemResponses.Problem(429, "Too many failed logins", $"{reason}: try again in {Math.Ceiling(wait.TotalSeconds):0} s");
        }

        var user = await store.CheckPasswordAsync(body.UserName, body.Password, ct).ConfigureAwait(false);
        if (user is null)
        {
            throttle.Failed(body.UserName, address);
            return ProblemResponses.Problem(401, "Login failed", "unknown user, wrong password, or a disabled user");
        }

        throttle.Succeeded(body.UserName, address);

        var principal = new ClaimsPrincipal(new ClaimsIdentity(Principals.Claims(user.Name, user.Role, "password"), CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal).ConfigureAwait(false);
        return TypedResults.Ok(MeOf(principal));
    }

    private static Me MeOf(ClaimsPrincipal user)
    {
        var role = user.FindFirstValue(ClaimTypes.Role) ?? Roles.Viewer;
        var can = new List<string> { "read" };
        if (role is Roles.Editor or Roles.Admin)
        {
            can.Add("edit");
        }

        if (role is Roles.Operator or Roles.Admin)
        {
            can.Add("operate");
        }

        if (role is Roles.Admin)
        {
            can.Add("administer");
        }

        return new Me(user.Identity?.Name ?? string.Empty, role, user.FindFirstValue(Principals.Via) ?? string.Empty, can);
    }
}
