using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CellSegFlows.Server.Auth;

/// <summary>Authenticates automation by the <c>X-Api-Key</c> header (the key acts as its user, with that user's role).</summary>
internal sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, UserStore users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return AuthenticateResult.NoResult();
        }

        var found = await users.FindByKeyAsync(values[0]!, Context.RequestAborted).ConfigureAwait(false);
        if (found is not { } f)
        {
            return AuthenticateResult.Fail("unknown or revoked API key");
        }

        await users.TouchKeyAsync(f.Key, Context.RequestAborted).ConfigureAwait(false);
        var identity = new ClaimsIdentity(Principals.Claims(f.User.Name, f.User.Role, $"key:{f.Key.Id}"), SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Api.ProblemResponses.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Not signed in", "The X-Api-Key header holds no valid key (unknown, revoked, or its user is disabled).");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Api.ProblemResponses.WriteAsync(Context, StatusCodes.Status403Forbidden, "Not allowed",
            $"{Context.User.Identity?.Name} has role {Context.User.FindFirstValue(ClaimTypes.Role)}, which may not do this.");
}

/// <summary>The claims the server puts on a user and reads back.</summary>
internal static class Principals
{
    public const string Via = "cellsegflows:via";

    public static Claim[] Claims(string name, string role, string via) =>
        [new(ClaimTypes.Name, name), new(ClaimTypes.Role, role), new(Via, via)];

    /// <summary>How the audit log names the actor: the user, and the key when one was used.</summary>
    public static string Actor(ClaimsPrincipal user)
    {
        var name = user.Identity?.Name ?? "anonymous";
        var via = user.FindFirstValue(Via);
        return via is not null && via.StartsWith("key:", StringComparison.Ordinal) ? $"{name} ({via})" : name;
    }
}
