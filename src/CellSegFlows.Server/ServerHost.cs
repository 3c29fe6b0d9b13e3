using System.Security.Claims;
using System.Text.Json.Serialization;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Server.Api;
using CellSegFlows.Server.Auth;
using CellSegFlows.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Scalar.AspNetCore;

namespace CellSegFlows.Server;

/// <summary>
/// The server around a running <see cref="WorkflowEngine"/>: the REST API under <c>/api</c>, its OpenAPI
/// document at <c>/openapi/v1.json</c> (browsable at <c>/scalar</c>), live run updates (server-sent events),
/// the operations views' data, cookie logins for the studio and API keys for automation, and the studio's files.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServerHost(WebApplication app) => _app = app;

    /// <summary>The addresses Kestrel listens on (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<string> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>Users and keys of the engine's run store.</summary>
    public UserStore Users => _app.Services.GetRequiredService<UserStore>();

    /// <summary>Builds the server, creates the bootstrap admin if asked, and starts listening.</summary>
    public static async Task<ServerHost> StartAsync(WorkflowEngine engine, ServerOptions options, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.WebHost.UseKestrel().UseUrls([.. options.Urls]);
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var services = builder.Services;
        services.AddSingleton(engine);
        services.AddSingleton(options);
        services.AddSingleton(new UserStore(engine.Store));
        services.AddSingleton(new LoginThrottle(TimeProvider.System));
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "CellSegFlows API";
            doc.Info.Description = "Workflow definitions, activities, runs with their step journal, artifacts, metrics, operations, users. " +
                "Authenticate with the studio's cookie (POST /api/auth/login) or an X-Api-Key header.";
            return Task.CompletedTask;
        }).AddSchemaTransformer(OpenApiNumbers.WriteNumbersAsNumbers));

        services.AddAuthentication("smart")
            .AddPolicyScheme("smart", "cookie or API key", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.ContainsKey(ApiKeyHandler.Header) ? ApiKeyHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = "cellsegflows";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = options.SecureCookies || options.Urls.Any(u => u.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
                    ? CookieSecurePolicy.Always
                    : CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = options.SessionLifetime;
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = ctx => ProblemResponses.WriteAsync(ctx.HttpContext, StatusCodes.Status401Unauthorized, "Not signed in", "Sign in (POST /api/auth/login) or send an X-Api-Key header.");
                o.Events.OnRedirectToAccessDenied = ctx => ProblemResponses.WriteAsync(ctx.HttpContext, StatusCodes.Status403Forbidden, "Not allowed",
                    $"{ctx.HttpContext.User.Identity?.Name} has role {ctx.HttpContext.User.FindFirstValue(ClaimTypes.Role)}, which may not do this.");
                o.Events.OnValidatePrincipal = async ctx =>
                {
                    // A user disabled or given another role since logging in: the cookie follows the store.
                    var store = ctx.HttpContext.RequestServices.GetRequiredService<UserStore>();
                    var name = ctx.Principal?.Identity?.Name;
                    var user = name is null ? null : await store.FindAsync(name, ctx.HttpContext.RequestAborted).ConfigureAwait(false);
                    if (user is null || user.Disabled)
                    {
                        ctx.RejectPrincipal();
                        return;
                    }

                    if (ctx.Principal!.FindFirstValue(ClaimTypes.Role) != user.Role)
                    {
                        ctx.ReplacePrincipal(new ClaimsPrincipal(new ClaimsIdentity(Principals.Claims(user.Name, user.Role, "password"), CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role)));
                        ctx.ShouldRenew = true;
                    }
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Policies.Read, p => p.RequireRole(Roles.All))
            .AddPolicy(Roles.Policies.Edit, p => p.RequireRole(Roles.Editor, Roles.Admin))
            .AddPolicy(Roles.Policies.Operate, p => p.RequireRole(Roles.Operator, Roles.Admin))
            .AddPolicy(Roles.Policies.Administer, p => p.RequireRole(Roles.Admin));

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseOriginCheck();
        app.UseAuthentication();
        app.UseAuthorization();

        var studio = options.ResolvedStudioRoot;
        if (Directory.Exists(studio) && File.Exists(Path.Combine(studio, "index.html")))
        {
            var files = new PhysicalFileProvider(studio);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }
        else
        {
            app.MapGet("/", () => Results.Text($"The studio is not built (no {studio}/index.html): build src/CellSegFlows.Server with Node installed. The API is at /api, its description at /openapi/v1.json.")).ExcludeFromDescription();
        }

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        var api = app.MapGroup("/api").RequireAuthorization(Roles.Policies.Read);
        AuthEndpoints.Map(api);
        DefinitionEndpoints.Map(api);
        DraftEndpoints.Map(api);
        AcrossRunsEndpoints.Map(api);
        RunEndpoints.Map(api);
        OperationsEndpoints.Map(api);
        ModelEndpoints.Map(api);
        TriggerEndpoints.Map(api);
        api.MapFallback(() => Results.Problem(statusCode: 404, title: "No such endpoint", detail: "See /openapi/v1.json for the API.")).ExcludeFromDescription();

        var host = new ServerHost(app);
        if (options.AdminPasswordFile is { } file)
        {
            await host.Users.BootstrapAdminAsync(file, cancellationToken).ConfigureAwait(false);
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    /// <summary>Waits until the server stops (Ctrl+C or <paramref name="cancellationToken"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(_app, cancellationToken);

    /// <summary>Stops listening (open event streams end).</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
