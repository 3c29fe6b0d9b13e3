using CellSegFlows.Server.Api;
using CellSegFlows.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CellSegFlows.Server.Security;

/// <summary>
/// Refuses a state-changing request that a browser sent from another site with our cookie (cross-site request
/// forgery): SameSite=Strict already keeps the cookie off most such requests; this checks what the browser says of
/// where the request came from. Requests with an API key are not cookie-authenticated and are left alone.
/// </summary>
public static class OriginCheck
{
    /// <summary>Adds the check (before authentication and the endpoints; the login itself is covered).</summary>
    public static IApplicationBuilder UseOriginCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || request.Headers.ContainsKey(ApiKeyHandler.Header) || IsSameOrigin(request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "Cross-origin request refused",
            $"a {request.Method} from {request.Headers.Origin.FirstOrDefault() ?? "another site"} to this server is not accepted; use the studio, or an API key").ConfigureAwait(false);
    });

    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.FirstOrDefault();
        if (origin is not null)
        {
            return string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
        }

        // No Origin (an older browser, or a tool with a cookie): refuse only what the browser marks cross-site.
        return request.Headers["Sec-Fetch-Site"].FirstOrDefault() is not ("cross-site" or "same-site");
    }
}
