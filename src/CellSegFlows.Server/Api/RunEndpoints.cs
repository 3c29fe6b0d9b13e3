using System.Security.Claims;
using System.Text;
using System.Text.Json;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Server.Api.Contracts;
using CellSegFlows.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CellSegFlows.Server.Api;

/// <summary>
/// Start a run: the workflow, optionally the exact version (hash; default the latest published) and parameters (JSON
/// values). <see cref="Draft"/> true runs the workflow's draft instead (it must be valid; no version may be named then).
/// </summary>
public sealed record StartRunRequest(string WorkflowId, string? Version, Dictionary<string, JsonElement>? Parameters)
{
    /// <summary>Run the draft, not a published version.</summary>
    public bool Draft { get; init; }
}

/// <summary>The started run.</summary>
public sealed record StartRunResult(string RunId, string DefinitionHash);

/// <summary>The answer to cancel and retry.</summary>
public sealed record RunActionResult(string RunId, string Action, RunStatus Status);

/// <summary>Counts over the whole store.</summary>
public sealed record Overview(IReadOnlyDictionary<string, int> RunsByStatus, IReadOnlyDictionary<string, int> StepsByStatus, int Workflows, long Artifacts, long ArtifactBytes);

/// <summary>Runs: start, list with filters, detail with the full journal, cancel, retry from the failed step, live stream; artifacts; metrics.</summary>
internal static class RunEndpoints
{
    /// <summary>The response header with the cursor of the next runs page.</summary>
    public const string NextCursorHeader = "X-Next-Cursor";

    public static void Map(RouteGroupBuilder api)
    {
        var runs = api.MapGroup("/runs").WithTags("Runs");
        runs.MapGet("/", ListAsync)
            .WithSummary("One page of runs, newest first. Filters: workflow, version (definition hash), status (several: comma-separated), trigger, startedBy, from/to (ISO times, on the start time, both included), q (text in a parameter value, ASCII case-insensitive, at most 200 characters). limit: 1 to 1000 (default 100). When more runs match, the X-Next-Cursor header holds the cursor of the next page (pass it as cursor=; the Link header, rel=next, is the ready address); pages do not shift when runs start meanwhile.")
            .ProducesProblem(400);
        runs.MapPost("/", StartAsync).RequireAuthorization(Roles.Policies.Operate)
            .WithSummary("Start a run of a saved workflow version with parameters (422 lists every bad parameter; nothing is started then).")
            .ProducesProblem(422);
        runs.MapGet("/compare", CompareAsync)
            .WithSummary("Two runs' score tables side by side (F1, AP, AFNR per cell type and model, matched by name): run A's value, run B's and the delta B − A, built from their evaluation reports when asked. 400 without both a and b; 404 for an unknown run.")
            .Produces<RunComparisonDto>(200).ProducesProblem(400).ProducesProblem(404).ProducesProblem(422);
        runs.MapGet("/{id}", DetailAsync).WithSummary("A run with its steps, nodes, the full step journal (attempts, workers, errors, logs), artifacts, metrics and its definition version.");
        runs.MapGet("/{id}/metrics", async (string id, WorkflowEngine engine, CancellationToken ct) => (await engine.Runs.DetailAsync(id, ct).ConfigureAwait(false)).Metrics.ToDtos(ContractMapping.ToDto))
            .WithSummary("The numbers the run's steps reported (e.g. loss per training step).");
        runs.MapGet("/{id}/report", ReportAsync)
            .WithSummary("The run's report: one self-contained HTML page (its scores in the paper's table layout beside the paper's values, figures as data: images, no script), built from the run's records when asked; served under a policy that allows nothing but inline styles and data: images, framed only by the studio.")
            .Produces<string>(200, contentType: "text/html").ProducesProblem(404).ProducesProblem(422);
        runs.MapPost("/{id}/cancel", CancelAsync).RequireAuthorization(Roles.Policies.Operate).WithSummary("Ask a running run to stop (409 when it has finished).");
        runs.MapPost("/{id}/retry", RetryAsync).RequireAuthorization(Roles.Policies.Operate).WithSummary("Retry a failed run from its failed steps; succeeded steps are kept (409 unless the run failed).");
        runs.MapGet("/{id}/stream", StreamAsync).WithSummary("Server-sent events: 'run' (run, steps and nodes whenever they change), 'journal' (new journal entries), 'metrics', 'artifacts', and 'end' when the run has finished.")
            .Produces<RunStreamEvents>(200, contentType: "text/event-stream");

        api.MapGet("/artifacts/{hash}", ArtifactAsync).WithTags("Runs")
            .WithSummary("Download an artifact by its SHA-256 (64 lowercase hex digits); only files of the artifact store are served.")
            .Produces(200, contentType: "application/octet-stream").ProducesProblem(400).ProducesProblem(404);
        api.MapGet("/metrics", OverviewAsync).WithTags("Runs").WithSummary("Counts: runs and steps by status, workflows, artifacts and their bytes.");
    }

    private static async Task<Results<Ok<IReadOnlyList<RunDto>>, ProblemHttpResult>> ListAsync(WorkflowEngine engine, HttpContext http, string? workflow, string? version, string? status, string? trigger, string? startedBy, DateTimeOffset? from, DateTimeOffset? to, string? q, int? limit, string? cursor, CancellationToken ct)
    {
        var statuses = new List<RunStatus>();
        foreach (var name in (status ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<RunStatus>(name, ignoreCase: true, out var parsed) || int.TryParse(name, out _))
            {
                return ProblemResponses.Problem(400, "Bad filter", $"status '{name}': one of {string.Join(", ", Enum.GetNames<RunStatus>())} (several: comma-separated)");
            }

            statuses.Add(parsed);
        }

        if (limit is < 1 or > RunQueries.MaxPageSize)
        {
            return ProblemResponses.Problem(400, "Bad filter", $"limit: 1 to {RunQueries.MaxPageSize}");
        }

        if (q is { Length: > RunFilter.MaxSearchLength })
        {
            return ProblemResponses.Problem(400, "Bad filter", $"q: at most {RunFilter.MaxSearchLength} characters");
        }

        if (from is { } f && to is { } t && f > t)
        {
            return ProblemResponses.Problem(400, "Bad filter", "from is after to");
        }

        if (cursor is not null && !RunCursor.TryRead(cursor, out _, out _))
        {
            return ProblemResponses.Problem(400, "Bad filter", "cursor: not one a runs page gave (start again without it)");
        }

        var filter = new RunFilter { WorkflowId = workflow, DefinitionHash = version, Statuses = statuses, Trigger = trigger, StartedBy = startedBy, From = from, To = to, Search = q };
        var page = await engine.Runs.PageAsync(filter, limit ?? 100, cursor, ct).ConfigureAwait(false);
        if (page.NextCursor is { } next)
        {
            // The page is the body; where the next one starts travels beside it, as a cursor and as a ready link.
            var query = http.Request.Query.Where(p => p.Key != "cursor").Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}").Append($"cursor={next}");
            http.Response.Headers[NextCursorHeader] = next;
            http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}?{string.Join('&', query)}>; rel=\"next\"";
        }

        return TypedResults.Ok(page.Runs.ToDtos(ContractMapping.ToDto));
    }

    private static async Task<Results<Created<StartRunResult>, ProblemHttpResult>> StartAsync(StartRunRequest body, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.WorkflowId))
        {
            return ProblemResponses.Problem(400, "Bad request", "workflowId is required");
        }

        DefinitionVersion? version;
        if (body.Draft)
        {
            if (body.Version is not null)
            {
                return ProblemResponses.Problem(400, "Bad request", "name a version or ask for the draft, not both");
            }

            var draft = await DraftEndpoints.FindAsync(engine, body.WorkflowId, ct).ConfigureAwait(false);
            if (draft is null)
            {
                return ProblemResponses.Problem(404, "No draft", $"workflow '{body.WorkflowId}' has no draft");
            }

            var (definition, problems) = DraftEndpoints.Check(engine, draft);
            if (problems.Count > 0 || definition is null)
            {
                return ProblemResponses.DefinitionProblems($"draft of {body.WorkflowId}", problems);
            }

            version = await StoreDraftContentAsync(engine, definition, Principals.Actor(user), ct).ConfigureAwait(false);
        }
        else if (body.Version is { } hash)
        {
            version = await DefinitionEndpoints.FindVersionAsync(engine, hash, ct).ConfigureAwait(false);
            if (version is null || version.WorkflowId != body.WorkflowId)
            {
                return ProblemResponses.Problem(404, "No such definition version", $"workflow '{body.WorkflowId}' has no version '{hash}'");
            }
        }
        else
        {
            var latest = (await DefinitionEndpoints.VersionsAsync(engine, body.WorkflowId, withJson: false, ct).ConfigureAwait(false)).FirstOrDefault();
            version = latest is null ? null : await DefinitionEndpoints.FindVersionAsync(engine, latest.Hash, ct).ConfigureAwait(false);
            if (version is null)
            {
                return ProblemResponses.Problem(404, "No such workflow", $"no saved workflow '{body.WorkflowId}'");
            }
        }

        // The engine binds parameters from texts, as typed on the command line: a JSON string is its text, anything else its JSON.
        var parameters = (body.Parameters ?? []).ToDictionary(
            p => p.Key,
            p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(),
            StringComparer.Ordinal);
        var actor = Principals.Actor(user);
        var runId = await engine.StartRunAsync(version.Json!, $"{version.WorkflowId}@{version.Hash[..12]}", parameters, "manual", body.Draft ? "draft" : null, user.Identity?.Name, ct).ConfigureAwait(false);
        await AuditLog.WriteAsync(engine.Store, actor, "run.start", runId, $"{version.WorkflowId} {(body.Draft ? "draft" : "version")} {version.VersionLabel} ({version.Hash[..12]})", ct).ConfigureAwait(false);
        return TypedResults.Created($"/api/runs/{runId}", new StartRunResult(runId, version.Hash));
    }

    /// <summary>
    /// The draft's content as the definition record a run needs (runs find their plan by hash), marked as a draft so it is
    /// never the latest version; content published already is simply that version.
    /// </summary>
    private static async Task<DefinitionVersion> StoreDraftContentAsync(WorkflowEngine engine, Engine.Definitions.WorkflowDefinition definition, string actor, CancellationToken ct)
    {
        var hash = Engine.Definitions.DefinitionHash.Compute(definition);
        await engine.Store.WriteAsync(async db =>
        {
            if (await db.Definitions.FindAsync([hash], ct).ConfigureAwait(false) is null)
            {
                db.Definitions.Add(new DefinitionVersionRecord
                {
                    Hash = hash, WorkflowId = definition.Id, VersionLabel = definition.Version, Json = Engine.Definitions.WorkflowDefinitionWriter.ToJson(definition),
                    SavedAt = DateTimeOffset.UtcNow, SavedBy = actor, Draft = true,
                });
            }

            return 0;
        }, ct).ConfigureAwait(false);
        return (await DefinitionEndpoints.FindVersionAsync(engine, hash, ct).ConfigureAwait(false))!;
    }

    private static async Task<Ok<RunDetailDto>> DetailAsync(string id, WorkflowEngine engine, CancellationToken ct)
    {
        var detail = await engine.Runs.DetailAsync(id, ct).ConfigureAwait(false);
        var definition = await DefinitionEndpoints.FindVersionAsync(engine, detail.Run.DefinitionHash, ct).ConfigureAwait(false);
        return TypedResults.Ok(detail.ToDto(definition));
    }

    private static async Task<Results<Ok<RunActionResult>, ProblemHttpResult>> CancelAsync(string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        var actor = Principals.Actor(user);
        if (!await engine.CancelRunAsync(id, actor, ct).ConfigureAwait(false))
        {
            var run = await engine.Runs.RunAsync(id, ct).ConfigureAwait(false);
            return ProblemResponses.Problem(409, "Run not running", $"run {id} is {run.Status}; only a running run can be cancelled");
        }

        await AuditLog.WriteAsync(engine.Store, actor, "run.cancel", id, null, ct).ConfigureAwait(false);
        return TypedResults.Ok(new RunActionResult(id, "cancel", (await engine.Runs.RunAsync(id, ct).ConfigureAwait(false)).Status));
    }

    private static async Task<Results<Ok<RunActionResult>, ProblemHttpResult>> RetryAsync(string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        var actor = Principals.Actor(user);
        if (!await engine.RetryRunAsync(id, actor, ct).ConfigureAwait(false))
        {
            var run = await engine.Runs.RunAsync(id, ct).ConfigureAwait(false);
            return ProblemResponses.Problem(409, "Run not failed", $"run {id} is {run.Status}; only a failed run can be retried from its failed step");
        }

        await AuditLog.WriteAsync(engine.Store, actor, "run.retry", id, null, ct).ConfigureAwait(false);
        return TypedResults.Ok(new RunActionResult(id, "retry", (await engine.Runs.RunAsync(id, ct).ConfigureAwait(false)).Status));
    }

    private static async Task<IResult> ReportAsync(string id, WorkflowEngine engine, ServerOptions options, CancellationToken ct)
    {
        if (options.RunReportPage is not { } build)
        {
            return ProblemResponses.Problem(404, "No run reports", "this server was started without a run report builder");
        }

        var detail = await engine.Runs.DetailAsync(id, ct).ConfigureAwait(false);
        try
        {
            return Results.Content(await build(detail, engine.Artifacts, ct).ConfigureAwait(false), "text/html; charset=utf-8");
        }
        catch (FormatException ex)
        {
            return ProblemResponses.Problem(422, "Report input unreadable", ex.Message);
        }
    }

    private static async Task<IResult> CompareAsync(string? a, string? b, WorkflowEngine engine, ServerOptions options, IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (options.RunComparison is not { } compare)
        {
            return ProblemResponses.Problem(404, "No run comparison", "this server was started without a run comparison");
        }

        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b))
        {
            return ProblemResponses.Problem(400, "Two runs needed", "give both runs: /api/runs/compare?a=RUN_A&b=RUN_B");
        }

        var runA = await engine.Runs.DetailAsync(a, ct).ConfigureAwait(false);
        var runB = await engine.Runs.DetailAsync(b, ct).ConfigureAwait(false);
        try
        {
            var tables = await compare(runA, runB, engine.Artifacts, ct).ConfigureAwait(false);
            return TypedResults.Ok(tables.Deserialize<RunComparisonDto>(json.Value.SerializerOptions));
        }
        catch (FormatException ex)
        {
            return ProblemResponses.Problem(422, "Report input unreadable", ex.Message);
        }
    }

    private static async Task<IResult> ArtifactAsync(string hash, string? name, WorkflowEngine engine, CancellationToken ct)
    {
        // Only a SHA-256 in lowercase hex is a name the store resolves: no separators, no dots, nothing to traverse with.
        if (!LocalArtifactStore.IsHash(hash))
        {
            return ProblemResponses.Problem(400, "Bad artifact id", "an artifact is named by its SHA-256: 64 lowercase hex digits");
        }

        await using var db = engine.Store.CreateContext();
        var records = await db.Artifacts.AsNoTracking().Where(a => a.Hash == hash).ToListAsync(ct).ConfigureAwait(false);
        var record = records.FirstOrDefault(r => r.Name == name) ?? records.FirstOrDefault();
        if (record is null)
        {
            return ProblemResponses.Problem(404, "No such artifact", $"no artifact {hash} was recorded by a run");
        }

        string path;
        try
        {
            path = engine.Artifacts.GetPath(new ArtifactRef(record.Hash, record.Name, record.Size));
        }
        catch (FileNotFoundException)
        {
            return ProblemResponses.Problem(404, "Artifact gone", $"artifact {hash} ({record.Name}) is recorded but no longer in the store");
        }

        if (engine.Artifacts is LocalArtifactStore local && !Path.GetFullPath(path).StartsWith(Path.GetFullPath(local.Root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return ProblemResponses.Problem(400, "Bad artifact id", "the artifact resolves outside the store");
        }

        var type = new FileExtensionContentTypeProvider().TryGetContentType(record.Name, out var t) ? t : "application/octet-stream";
        return Results.File(path, type, SafeFileName(record.Name));
    }

    private static string SafeFileName(string name)
    {
        var file = Path.GetFileName(name);
        return string.IsNullOrWhiteSpace(file) ? "artifact" : file;
    }

    private static async Task<Overview> OverviewAsync(WorkflowEngine engine, CancellationToken ct)
    {
        await using var db = engine.Store.CreateContext();
        var runs = await db.Runs.AsNoTracking().GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct).ConfigureAwait(false);
        var steps = await db.Steps.AsNoTracking().GroupBy(s => s.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct).ConfigureAwait(false);
        var workflows = await db.Definitions.AsNoTracking().Select(d => d.WorkflowId).Distinct().CountAsync(ct).ConfigureAwait(false);
        var artifacts = await db.Artifacts.AsNoTracking().Select(a => new { a.Hash, a.Size }).Distinct().ToListAsync(ct).ConfigureAwait(false);
        return new Overview(
            runs.ToDictionary(r => r.Key.ToString(), r => r.Count),
            steps.ToDictionary(s => s.Key.ToString(), s => s.Count),
            workflows,
            artifacts.Count,
            artifacts.Sum(a => a.Size));
    }

    private static async Task StreamAsync(string id, long? after, HttpContext http, WorkflowEngine engine, ServerOptions options, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var snapshot = await engine.Runs.SnapshotAsync(id, ct).ConfigureAwait(false); // 404 (problem) before the stream starts
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var serializer = json.Value.SerializerOptions;
        long lastEvent = after ?? (long.TryParse(http.Request.Headers["Last-Event-ID"], out var l) ? l : 0);
        long lastMetric = 0, lastArtifact = 0;
        string? lastSignature = null;
        var quietSince = DateTime.UtcNow;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var signature = Signature(snapshot);
                var wrote = false;
                if (signature != lastSignature)
                {
                    await WriteEventAsync(response, "run", null, JsonSerializer.Serialize(snapshot.ToDto(), serializer), ct).ConfigureAwait(false);
                    lastSignature = signature;
                    wrote = true;
                }

                await using (var db = engine.Store.CreateContext())
                {
                    var events = await db.Events.AsNoTracking().Where(e => e.RunId == id && e.Id > lastEvent).OrderBy(e => e.Id).Take(500).ToListAsync(ct).ConfigureAwait(false);
                    if (events.Count > 0)
                    {
                        lastEvent = events[^1].Id;
                        await WriteEventAsync(response, "journal", lastEvent.ToString(System.Globalization.CultureInfo.InvariantCulture), JsonSerializer.Serialize(events.ToDtos(ContractMapping.ToDto), serializer), ct).ConfigureAwait(false);
                        wrote = true;
                    }

                    var metrics = await db.Metrics.AsNoTracking().Where(m => m.RunId == id && m.Id > lastMetric).OrderBy(m => m.Id).Take(2000).ToListAsync(ct).ConfigureAwait(false);
                    if (metrics.Count > 0)
                    {
                        lastMetric = metrics[^1].Id;
                        await WriteEventAsync(response, "metrics", null, JsonSerializer.Serialize(metrics.ToDtos(ContractMapping.ToDto), serializer), ct).ConfigureAwait(false);
                        wrote = true;
                    }

                    var artifacts = await db.Artifacts.AsNoTracking().Where(a => a.RunId == id && a.Id > lastArtifact).OrderBy(a => a.Id).ToListAsync(ct).ConfigureAwait(false);
                    if (artifacts.Count > 0)
                    {
                        lastArtifact = artifacts[^1].Id;
                        await WriteEventAsync(response, "artifacts", null, JsonSerializer.Serialize(artifacts.ToDtos(ContractMapping.ToDto), serializer), ct).ConfigureAwait(false);
                        wrote = true;
                    }

                    if (snapshot.Run.Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled && events.Count < 500)
                    {
                        await WriteEventAsync(response, "end", null, JsonSerializer.Serialize(new RunEndDto(snapshot.Run.Status), serializer), ct).ConfigureAwait(false);
                        return;
                    }
                }

                if (wrote)
                {
                    quietSince = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(15))
                {
                    // A comment keeps proxies from closing an idle stream.
                    await response.WriteAsync(": keep-alive\n\n", ct).ConfigureAwait(false);
                    await response.Body.FlushAsync(ct).ConfigureAwait(false);
                    quietSince = DateTime.UtcNow;
                }

                await Task.Delay(options.StreamPollInterval, ct).ConfigureAwait(false);
                snapshot = await engine.Runs.SnapshotAsync(id, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static string Signature(RunSnapshot s)
    {
        var b = new StringBuilder().Append(s.Run.Status).Append('|').Append(s.Run.Error);
        foreach (var step in s.Steps)
        {
            b.Append('|').Append(step.Id).Append(':').Append(step.Status).Append(':').Append(step.Attempt).Append(':').Append(step.Progress).Append(':').Append(step.ProgressMessage);
        }

        foreach (var node in s.Nodes)
        {
            b.Append('|').Append(node.NodeId).Append(':').Append(node.Status);
        }

        return b.ToString();
    }

    private static async Task WriteEventAsync(HttpResponse response, string name, string? id, string data, CancellationToken ct)
    {
        var text = new StringBuilder();
        if (id is not null)
        {
            text.Append("id: ").Append(id).Append('\n');
        }

        text.Append("event: ").Append(name).Append('\n').Append("data: ").Append(data).Append("\n\n");
        await response.WriteAsync(text.ToString(), ct).ConfigureAwait(false);
        await response.Body.FlushAsync(ct).ConfigureAwait(false);
    }
}
