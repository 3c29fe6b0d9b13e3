using System.ComponentModel;
using CellSegFlows.Engine.Hosting;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// <c>cellsegflows health --url URL | --worker NAME</c>: a container health check that needs no curl. A server is
/// healthy when the URL answers 2xx within 5 s; a worker when the run store shows it checked in lately and not stopped.
/// Exit 0 when healthy, 1 when not (one line saying why).
/// </summary>
internal sealed class HealthCommand(IAnsiConsole console) : AsyncCommand<HealthCommand.Settings>
{
    // As the operations view: alive = checked in within three trigger-sync intervals (plus slack).
    private static readonly TimeSpan Stale = TimeSpan.FromTicks(new EngineOptions { Home = "." }.TriggerSyncInterval.Ticks * 3) + TimeSpan.FromSeconds(2);

    public sealed class Settings : StoreSettings
    {
        [CommandOption("--url <URL>")]
        [Description("An address of the server to GET (e.g. http://127.0.0.1:5080/openapi/v1.json): healthy on a 2xx answer within 5 s.")]
        public string? Url { get; init; }

        [CommandOption("--worker <NAME>")]
        [Description("A worker name, or a host name (matching the default names host:pid): healthy when such a worker checked in to the run store within the last 17 s and has not stopped.")]
        public string? Worker { get; init; }

        public override ValidationResult Validate() =>
            (Url is null) == (Worker is null) ? ValidationResult.Error("health takes one of --url URL or --worker NAME")
            : Url is not null && !(Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") ? ValidationResult.Error($"--url {Url}: not an http(s) address")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Url is { } url)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                console.MarkupLineInterpolated($"{url}: {(int)response.StatusCode} {response.ReasonPhrase}");
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                console.MarkupLineInterpolated($"{url}: no answer ({ex.Message})");
                return 1;
            }
        }

        var name = settings.Worker!;
        var store = await settings.OpenStoreAsync(create: false, cancellationToken).ConfigureAwait(false)
            ?? throw new UserInputException($"no run store at {Path.Combine(settings.HomeFolder, "runs.db")} (pass --home or --store)");
        await using var db = store.CreateContext();
        var workers = await db.Workers.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var mine = workers.Where(w => w.Name == name || w.Name.StartsWith(name + ":", StringComparison.Ordinal)).OrderByDescending(w => w.LastSeenAt).ToList();
        var now = DateTimeOffset.UtcNow;
        var alive = mine.FirstOrDefault(w => w.StoppedAt is null && now - w.LastSeenAt < Stale);
        if (alive is not null)
        {
            console.MarkupLineInterpolated($"worker {alive.Name}: alive (checked in {(now - alive.LastSeenAt).TotalSeconds:0} s ago, serving {alive.Queues} on {alive.Device})");
            return 0;
        }

        if (mine.Count == 0)
        {
            console.MarkupLineInterpolated($"worker {name}: has never checked in to this run store");
        }
        else
        {
            var last = mine[0];
            console.MarkupLineInterpolated($"worker {last.Name}: {(last.StoppedAt is not null ? "stopped" : "silent")} (last check-in {(now - last.LastSeenAt).TotalSeconds:0} s ago)");
        }

        return 1;
    }
}
