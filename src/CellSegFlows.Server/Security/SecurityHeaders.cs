using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CellSegFlows.Server.Security;

/// <summary>
/// The usual browser protections on every response (the studio, the API, errors, the OpenAPI pages): a content
/// security policy that allows only this origin (the studio has no inline script or style), no framing, no MIME
/// sniffing, no referrer, and HSTS when served over HTTPS.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The studio's and the API's policy.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The API reference page (/scalar) runs an inline start-up script and its own styles.</summary>
    public const string ReferencePagePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// A run's report page (<c>/api/runs/{id}/report</c>): its own inline styles and data: images, nothing else, no script
    /// even when opened alone (sandbox), framed by the studio only.
    /// </summary>
    public const string ReportPagePolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox";

    /// <summary>Adds the headers before anything else can answer.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            var report = IsReportPage(context.Request.Path);
            headers.ContentSecurityPolicy = report ? ReportPagePolicy : context.Request.Path.StartsWithSegments("/scalar") ? ReferencePagePolicy : ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = report ? "SAMEORIGIN" : "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000";
            }

            return Task.CompletedTask;
        });
        await next(context).ConfigureAwait(false);
    });

    private static bool IsReportPage(PathString path) =>
        path.StartsWithSegments("/api/runs", out var rest) && rest.Value is { } r && r.Count(c => c == '/') == 2 && r.EndsWith("/report", StringComparison.Ordinal);
}
