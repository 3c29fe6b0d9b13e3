using System.ComponentModel;
using CellSegFlows.Activities;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Server;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// <c>cellsegflows serve</c>: the engine (a worker for the queues it serves, firing the triggers) plus the server:
/// REST API, live run updates, operations views, auth and the studio, on 127.0.0.1 unless told otherwise.
/// </summary>
internal sealed class ServeCommand(IAnsiConsole console) : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : WorkerSettings
    {
        [CommandOption("--urls <URLS>")]
        [Description("Addresses to listen on, separated by ';' (default http://127.0.0.1:5080; port 0 picks a free one).")]
        [DefaultValue("http://127.0.0.1:5080")]
        public string Urls { get; init; } = "http://127.0.0.1:5080";

        [CommandOption("--admin-password-file <FILE>")]
        [Description("Creates user 'admin' (role admin) with the password in this file when there is no such user yet.")]
        public string? AdminPasswordFile { get; init; }

        [CommandOption("--allow-remote")]
        [Description("Listen on plain-HTTP addresses beyond this machine (0.0.0.0, a LAN address): only behind a TLS proxy; the sign-in cookie is then Secure.")]
        public bool AllowRemote { get; init; }

        [CommandOption("--workflows <DIR>")]
        [Description("Definitions imported as versions at start, so the studio shows what ships (default: ./workflows when it exists; 'none' to skip).")]
        public string? Workflows { get; init; }

        [CommandOption("--studio <DIR>")]
        [Description("The built studio to serve (default: wwwroot beside the program).")]
        public string? Studio { get; init; }

        private protected override bool AcceptsNone => true;
    }

    /// <summary>An http:// address that is not loopback (0.0.0.0, [::], *, +, a host name or a LAN address).</summary>
    internal static bool IsRemotePlainHttp(string url) =>
        url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsLoopback);   // Kestrel's '*' and '+' are no URI hosts: remote

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var queues = settings.QueueList;
        if (settings.AdminPasswordFile is { } file && !File.Exists(file))
        {
            throw new UserInputException($"{file}: the admin password file does not exist");
        }

        var urls = settings.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var remote = urls.Where(IsRemotePlainHttp).ToArray();
        if (remote.Length > 0 && !settings.AllowRemote)
        {
            throw new UserInputException($"--urls {string.Join(";", remote)}: plain HTTP beyond this machine would send passwords, cookies and API keys in clear; serve on 127.0.0.1 behind a TLS proxy, use an https URL, or pass --allow-remote when a TLS proxy is in front");
        }

        if (remote.Length > 0)
        {
            console.MarkupLineInterpolated($"[yellow]warning:[/] listening on plain HTTP beyond this machine ({string.Join(", ", remote)}); only a TLS proxy in front keeps credentials private; the sign-in cookie is Secure, so browsers sign in only through HTTPS.");
        }

        using var drain = new Drain();
        await using var engine = await WorkflowEngine.StartAsync(settings.ToWorkerOptions(), ActivityCatalog.Create(), cancellationToken).ConfigureAwait(false);
        var options = new ServerOptions
        {
            Urls = urls,
            SecureCookies = remote.Length > 0,
            AdminPasswordFile = settings.AdminPasswordFile,
            StudioRoot = settings.Studio,
            RunReportPage = CellSegFlows.Activities.Analysis.RunReportSourcesFromRun.PageAsync,
            RunComparison = CellSegFlows.Activities.Analysis.RunReportSourcesFromRun.CompareAsync,
        };
        // Warnings and errors (an unhandled request error, say) go to the console; requests themselves are not logged.
        await using var server = await ServerHost.StartAsync(engine, options, l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning), cancellationToken).ConfigureAwait(false);
        var workflows = settings.Workflows ?? (Directory.Exists("workflows") ? "workflows" : "none");
        if (workflows != "none")
        {
            if (!Directory.Exists(workflows))
            {
                throw new UserInputException($"--workflows {workflows}: no such folder");
            }

            var imported = await CellSegFlows.Server.Api.WorkflowFolderImport.RunAsync(engine, workflows, cancellationToken).ConfigureAwait(false);
            console.MarkupLineInterpolated($"imported {imported.Files} definitions from [blue]{workflows}[/] ({imported.NewVersions} new versions)");
            foreach (var problem in imported.Problems)
            {
                console.MarkupLineInterpolated($"[yellow]warning:[/] not imported: {problem}");
            }
        }

        if (!await server.Users.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            console.MarkupLine("[yellow]note:[/] there are no users yet: restart with --admin-password-file FILE, or add one with `cellsegflows users add NAME --role admin --password-file FILE`.");
        }

        console.MarkupLineInterpolated($"serving [bold]{string.Join(", ", server.Addresses)}[/] (studio at /, API at /api, OpenAPI at /openapi/v1.json); worker {engine.Options.WorkerName} runs {string.Join(", ", queues)}; SIGTERM or Ctrl+C drains and stops");
        try
        {
            // Ctrl+C and SIGTERM stop the web host (its console lifetime); then the engine drains.
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(drain.Requested, engine.DrainRequested, cancellationToken);
            await server.WaitForShutdownAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await drain.RunAsync(engine, TimeSpan.FromSeconds(settings.DrainTimeout), console).ConfigureAwait(false);
        return 0;
    }
}
