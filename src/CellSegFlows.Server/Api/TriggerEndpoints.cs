using System.Security.Claims;
using System.Text.Json;
using CellSegFlows.Engine.Access;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Engine.Triggers;
using CellSegFlows.Server.Api.Contracts;
using CellSegFlows.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CellSegFlows.Server.Api;

/// <summary>A cron schedule with Quartz's next fire time, the next few by its cron expression, and its latest firing.</summary>
public sealed record ScheduleDto(string Id, string WorkflowId, string? WorkflowPath, string? PinnedVersion, string DefinitionHash, string Cron, string ParametersJson, bool Enabled, bool AllowOverlap, string Misfire,
    DateTimeOffset? NextFireTime, IReadOnlyList<DateTimeOffset> NextFireTimes, DateTimeOffset? LastFiredAt, string? LastOutcome, string? LastRunId, string? LastMessage, string? LastFiredBy, string? CreatedBy, DateTimeOffset UpdatedAt);

/// <summary>A folder watch with what it has seen and its latest start or failure.</summary>
public sealed record WatchDto(string Id, string WorkflowId, string? WorkflowPath, string? PinnedVersion, string Folder, string Glob, string ParameterName, string ParametersJson, string Settle, string PollInterval, bool Enabled, int FilesSeen,
    DateTimeOffset? LastFiredAt, string? LastOutcome, string? LastRunId, string? LastMessage, string? LastFiredBy, string? CreatedBy, DateTimeOffset UpdatedAt);

/// <summary>
/// A schedule to create or replace. It runs a stored definition (<c>definition</c>: a workflow id) at its latest version at
/// each firing, or <c>pinnedVersion</c> (a definition hash). Parameters are JSON values (a string is taken as its text).
/// </summary>
public sealed record ScheduleRequest(string? Id, string? Definition, string? PinnedVersion, string? Cron, Dictionary<string, JsonElement>? Parameters, string? Misfire, bool? AllowOverlap, bool? Enabled, JsonElement? Workflow);

/// <summary>A folder watch to create or replace: a folder inside the data roots, a file-name pattern and the parameter that receives each file's path.</summary>
public sealed record WatchRequest(string? Id, string? Definition, string? PinnedVersion, string? Folder, string? Glob, string? ParameterName, Dictionary<string, JsonElement>? Parameters, string? Settle, string? PollInterval, bool? Enabled, JsonElement? Workflow);

/// <summary>What to check without saving: a cron expression (answered with its next fire times), a glob, a folder.</summary>
public sealed record TriggerCheckRequest(string? Cron, string? Glob, string? Folder, int? Count);

/// <summary>The answer to a check: the next fire times of the cron expression (empty without one) and the folder as it resolves inside the data roots.</summary>
public sealed record TriggerCheckResult(bool Valid, IReadOnlyList<DateTimeOffset> NextFireTimes, string? Folder);

/// <summary>What firing a trigger by hand did: the outcome of a schedule's firing (or <c>Scanned</c> for a watch) and the runs started.</summary>
public sealed record FireResult(string Kind, string Id, string Outcome, IReadOnlyList<string> RunsStarted, string? Message);

/// <summary>
/// Schedules and watches as resources: list, one with its firings, create, replace, remove, pause, resume, fire now, and
/// a check of cron text, globs and folders. The API is a trust boundary: a trigger made here runs a stored definition only
/// (never a workflow file of the host), and a watch's folder must lie inside the admin's data roots. Every change goes
/// through the engine's methods, which also bring Quartz in step, and the trigger store audits it as the signed-in user.
/// </summary>
internal static class TriggerEndpoints
{
    /// <summary>Bounds checked before any work: a request body, ids, texts and parameters.</summary>
    internal const int MaxBodyBytes = 256 << 10;
    internal const int MaxIdLength = 100;
    internal const int MaxCronLength = 200;
    internal const int MaxGlobLength = 200;
    internal const int MaxFolderLength = 4096;
    internal const int MaxParameters = 100;
    internal const int MaxParameterValueLength = 16 << 10;
    private const int DefaultFireTimes = 5;
    private const int MaxFireTimes = 50;

    public static void Map(RouteGroupBuilder api)
    {
        var schedules = api.MapGroup("/ops/schedules").WithTags("Triggers");
        schedules.MapGet("/", ListSchedulesAsync).WithSummary("Cron schedules with Quartz's next fire time, the next five by their cron expression, and their latest firing.");
        schedules.MapGet("/{id}", async Task<Results<Ok<ScheduleDetailDto>, ProblemHttpResult>> (string id, WorkflowEngine engine, CancellationToken ct) =>
                await FindScheduleAsync(engine, id, ct).ConfigureAwait(false) is { } s
                    ? TypedResults.Ok(new ScheduleDetailDto(s, (await engine.Triggers.ListFiringsAsync(TriggerStore.ScheduleKind, id, 50, ct).ConfigureAwait(false)).ToDtos(ContractMapping.ToDto)))
                    : NoSchedule(id))
            .WithSummary("One schedule with its latest 50 firings (started, skipped for overlap, failed; who fired it by hand).");
        schedules.MapPost("/validate", CheckAsync).WithSummary("Check a cron expression (and a glob or folder) without saving: 200 with the next fire times (count: default 5, at most 50), else 400 naming the field.")
            .ProducesProblem(400);
        schedules.MapPost("/", (HttpRequest request, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) => SaveScheduleAsync(request, null, engine, user, ct))
            .RequireAuthorization(Roles.Policies.Operate).Accepts<ScheduleRequest>("application/json")
            .WithSummary("Create a schedule of a stored definition (latest version at each firing, or pinnedVersion): 201; 409 when the id exists; 400 naming the field when one is invalid.")
            .ProducesProblem(400).ProducesProblem(409);
        schedules.MapPut("/{id}", (string id, HttpRequest request, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) => SaveScheduleAsync(request, id, engine, user, ct))
            .RequireAuthorization(Roles.Policies.Operate).Accepts<ScheduleRequest>("application/json")
            .WithSummary("Replace a schedule's fields (404 when there is none); Quartz's trigger follows at once.").ProducesProblem(400).ProducesProblem(404);
        schedules.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) =>
                await engine.Triggers.RemoveScheduleAsync(id, Principals.Actor(user), ct).ConfigureAwait(false) ? TypedResults.NoContent() : NoSchedule(id))
            .RequireAuthorization(Roles.Policies.Operate).WithSummary("Remove a schedule and its Quartz job (its firings stay in the journal): 204, or 404.");
        schedules.MapPost("/{id}/pause", (string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) => SetScheduleAsync(id, false, engine, user, ct))
            .RequireAuthorization(Roles.Policies.Operate).WithSummary("Pause a schedule: it keeps its record but fires no more until resumed.");
        schedules.MapPost("/{id}/resume", (string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) => SetScheduleAsync(id, true, engine, user, ct))
            .RequireAuthorization(Roles.Policies.Operate).WithSummary("Resume a paused schedule.");
        schedules.MapPost("/{id}/fire", FireScheduleAsync).RequireAuthorization(Roles.Policies.Operate)
            .WithSummary("Fire a schedule now (a paused one too): one run of its definition, recorded in its firing journal as fired by you. 409 when its previous run still runs and overlap is not allowed; 422 when the firing failed (e.g. the definition is gone).")
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);

        var watches = api.MapGroup("/ops/watches").WithTags("Triggers");
        watches.MapGet("/", ListWatchesAsync).WithSummary("Folder watches with the files they have started runs for and their latest start or failure.");
        watches.MapGet("/{id}", async Task<Results<Ok<WatchDetailDto>, ProblemHttpResult>> (string id, WorkflowEngine engine, CancellationToken ct) =>
                await FindWatchAsync(engine, id, ct).ConfigureAwait(false) is { } w
                    ? TypedResults.Ok(new WatchDetailDto(w, (await engine.Triggers.ListFiringsAsync(TriggerStore.WatchKind, id, 50, ct).ConfigureAwait(false)).ToDtos(ContractMapping.ToDto)))
                    : NoWatch(id))
            .WithSummary("One watch with its latest 50 starts and failures.");
        watches.MapPost("/validate", CheckAsync).WithSummary("Check a glob and a folder (inside the data roots), and a cron expression, without saving: 200, else 400/403 naming the field.")
            .ProducesProblem(400).ProducesProblem(403);
        watches.MapPost("/", (HttpRequest request, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) => SaveWatchAsync(request, null, engine, user, ct))
            .RequireAuthorization(Roles.Policies.Operate).Accepts<WatchRequest>("application/json")
            .WithSummary("Create a watch of a stored definition on a folder inside the data roots (403 outside them): 201; 409 when the id exists; 400 naming the field when one is invalid.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        watches.MapPut("/{id}", (string id, HttpRequest request, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) => SaveWatchAsync(request, id, engine, user, ct))
            .RequireAuthorization(Roles.Policies.Operate).Accepts<WatchRequest>("application/json")
            .WithSummary("Replace a watch's fields (404 when there is none); another folder forgets the files seen.").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        watches.MapDelete("/{id}", async Task<Results<NoContent, ProblemHttpResult>> (string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) =>
                await engine.Triggers.RemoveFileWatchAsync(id, Principals.Actor(user), ct).ConfigureAwait(false) ? TypedResults.NoContent() : NoWatch(id))
            .RequireAuthorization(Roles.Policies.Operate).WithSummary("Remove a watch, its Quartz job and what it has seen: 204, or 404.");
        watches.MapPost("/{id}/pause", (string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) => SetWatchAsync(id, false, engine, user, ct))
            .RequireAuthorization(Roles.Policies.Operate).WithSummary("Pause a watch: it keeps what it has seen but is not scanned until resumed.");
        watches.MapPost("/{id}/resume", (string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) => SetWatchAsync(id, true, engine, user, ct))
            .RequireAuthorization(Roles.Policies.Operate).WithSummary("Resume a paused watch.");
        watches.MapPost("/{id}/fire", ScanWatchAsync).RequireAuthorization(Roles.Policies.Operate)
            .WithSummary("Scan a watch's folder now (a paused one too): every settled file that is new or changed starts its run; the answer lists them.")
            .ProducesProblem(404);
    }

    private static ProblemHttpResult NoSchedule(string id) => ProblemResponses.Problem(404, "No such schedule", $"no schedule '{id}'");

    private static ProblemHttpResult NoWatch(string id) => ProblemResponses.Problem(404, "No such watch", $"no watch '{id}'");

    private static ProblemHttpResult BadField(string field, string reason, int status = StatusCodes.Status400BadRequest, IReadOnlyList<DefinitionProblem>? problems = null) =>
        ProblemResponses.Problem(status, "Invalid trigger", $"{field}: {reason}", new Dictionary<string, object?>
        {
            ["field"] = field,
            ["errors"] = problems is null ? Array.Empty<ProblemItem>() : ProblemResponses.Items(problems),
        });

    private static async Task<IReadOnlyList<ScheduleDto>> ListSchedulesAsync(WorkflowEngine engine, CancellationToken ct) =>
        (await engine.Triggers.ListSchedulesAsync(ct).ConfigureAwait(false)).Select(ToDto).ToList();

    private static async Task<IReadOnlyList<WatchDto>> ListWatchesAsync(WorkflowEngine engine, CancellationToken ct) =>
        (await engine.Triggers.ListFileWatchesAsync(ct).ConfigureAwait(false)).Select(ToDto).ToList();

    private static async Task<ScheduleDto?> FindScheduleAsync(WorkflowEngine engine, string id, CancellationToken ct) =>
        (await ListSchedulesAsync(engine, ct).ConfigureAwait(false)).FirstOrDefault(s => s.Id == id);

    private static async Task<WatchDto?> FindWatchAsync(WorkflowEngine engine, string id, CancellationToken ct) =>
        (await ListWatchesAsync(engine, ct).ConfigureAwait(false)).FirstOrDefault(w => w.Id == id);

    private static ScheduleDto ToDto(ScheduleInfo i)
    {
        var s = i.Schedule;
        IReadOnlyList<DateTimeOffset> next = [];
        if (s.Enabled)
        {
            try
            {
                next = TriggerStore.NextFireTimes(s.Cron, DefaultFireTimes);
            }
            catch (TriggerDefinitionException)
            {
                // A stored expression that no longer fires: shown without fire times.
            }
        }

        return new ScheduleDto(s.Id, s.WorkflowId, s.WorkflowPath, s.PinnedVersion, s.DefinitionHash, s.Cron, s.ParametersJson, s.Enabled, s.AllowOverlap, MisfireText.Write(s.Misfire),
            i.NextFireTime, next, i.LastFiring?.Time, i.LastFiring?.Outcome.ToString(), i.LastFiring?.RunId, i.LastFiring?.Message, i.LastFiring?.FiredBy, s.CreatedBy, s.UpdatedAt);
    }

    private static WatchDto ToDto(FileWatchInfo i)
    {
        var w = i.Watch;
        return new WatchDto(w.Id, w.WorkflowId, w.WorkflowPath, w.PinnedVersion, w.Folder, w.Glob, w.ParameterName, w.ParametersJson, DurationText.Format(w.Settle), DurationText.Format(w.PollInterval),
            w.Enabled, i.FilesSeen, i.LastFiring?.Time, i.LastFiring?.Outcome.ToString(), i.LastFiring?.RunId, i.LastFiring?.Message, i.LastFiring?.FiredBy, w.CreatedBy, w.UpdatedAt);
    }

    private static async Task<Results<Created<ScheduleDto>, Ok<ScheduleDto>, ProblemHttpResult>> SaveScheduleAsync(HttpRequest request, string? routeId, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        var body = await ReadBodyAsync<ScheduleRequest>(request, ct).ConfigureAwait(false);
        var id = routeId ?? body.Id;
        if (CheckCommon(id, body.Id, routeId, body.Definition, body.PinnedVersion, body.Parameters, body.Workflow) is { } bad)
        {
            return bad;
        }

        if (string.IsNullOrWhiteSpace(body.Cron) || body.Cron.Length > MaxCronLength)
        {
            return BadField("cron", $"a Quartz cron expression (with seconds) of at most {MaxCronLength} characters is required, e.g. \"0 0 3 * * ?\"");
        }

        var misfire = MisfirePolicy.Skip;
        if (body.Misfire is not null && !MisfireText.TryRead(body.Misfire, out misfire))
        {
            return BadField("misfire", $"must be {MisfireText.Forms}, not '{body.Misfire}'");
        }

        var existing = await engine.Triggers.FindScheduleAsync(id!, ct).ConfigureAwait(false);
        if (routeId is null && existing is not null)
        {
            return ProblemResponses.Problem(409, "Schedule exists", $"a schedule '{id}' exists; change it with PUT /api/ops/schedules/{id}");
        }

        if (routeId is not null && existing is null)
        {
            return NoSchedule(routeId);
        }

        var spec = new ScheduleSpec(id!, null, body.Cron)
        {
            Definition = body.Definition,
            PinnedVersion = body.PinnedVersion,
            Parameters = Texts(body.Parameters),
            Misfire = misfire,
            AllowOverlap = body.AllowOverlap ?? false,
            Enabled = body.Enabled ?? true,
        };
        try
        {
            await engine.Triggers.AddScheduleAsync(spec, Principals.Actor(user), ct).ConfigureAwait(false);
        }
        catch (TriggerDefinitionException ex)
        {
            return BadField(ex.Field, ex.Reason, problems: ex.Problems);
        }

        var dto = (await FindScheduleAsync(engine, id!, ct).ConfigureAwait(false))!;
        return routeId is null ? TypedResults.Created($"/api/ops/schedules/{id}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Results<Created<WatchDto>, Ok<WatchDto>, ProblemHttpResult>> SaveWatchAsync(HttpRequest request, string? routeId, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        var body = await ReadBodyAsync<WatchRequest>(request, ct).ConfigureAwait(false);
        var id = routeId ?? body.Id;
        if (CheckCommon(id, body.Id, routeId, body.Definition, body.PinnedVersion, body.Parameters, body.Workflow) is { } bad)
        {
            return bad;
        }

        var glob = body.Glob ?? "*.json";
        if (glob.Length > MaxGlobLength)
        {
            return BadField("glob", $"at most {MaxGlobLength} characters");
        }

        if (TriggerStore.GlobProblem(glob) is { } globProblem)
        {
            return BadField("glob", globProblem);
        }

        if (string.IsNullOrWhiteSpace(body.ParameterName) || body.ParameterName.Length > MaxIdLength)
        {
            return BadField("parameterName", $"the workflow parameter that receives each file's path is required (at most {MaxIdLength} characters)");
        }

        if (!TryDuration(body.Settle, out var settle))
        {
            return BadField("settle", $"'{body.Settle}' is not a duration: {DurationText.Forms}");
        }

        if (!TryDuration(body.PollInterval, out var poll))
        {
            return BadField("pollInterval", $"'{body.PollInterval}' is not a duration: {DurationText.Forms}");
        }

        if (ResolveFolder(engine, body.Folder, out var folder) is { } refused)
        {
            return refused;
        }

        var existing = await engine.Triggers.FindFileWatchAsync(id!, ct).ConfigureAwait(false);
        if (routeId is null && existing is not null)
        {
            return ProblemResponses.Problem(409, "Watch exists", $"a watch '{id}' exists; change it with PUT /api/ops/watches/{id}");
        }

        if (routeId is not null && existing is null)
        {
            return NoWatch(routeId);
        }

        var spec = new FileWatchSpec(id!, null, folder!, body.ParameterName)
        {
            Definition = body.Definition,
            PinnedVersion = body.PinnedVersion,
            Glob = glob,
            Parameters = Texts(body.Parameters),
            Settle = settle ?? FileWatchSpec.DefaultInterval,
            PollInterval = poll ?? FileWatchSpec.DefaultInterval,
            Enabled = body.Enabled ?? true,
        };
        try
        {
            await engine.Triggers.AddFileWatchAsync(spec, Principals.Actor(user), ct).ConfigureAwait(false);
        }
        catch (TriggerDefinitionException ex)
        {
            return BadField(ex.Field, ex.Reason, problems: ex.Problems);
        }

        var dto = (await FindWatchAsync(engine, id!, ct).ConfigureAwait(false))!;
        return routeId is null ? TypedResults.Created($"/api/ops/watches/{id}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Results<Ok<TriggerCheckResult>, ProblemHttpResult>> CheckAsync(HttpRequest request, WorkflowEngine engine, CancellationToken ct)
    {
        var body = await ReadBodyAsync<TriggerCheckRequest>(request, ct).ConfigureAwait(false);
        IReadOnlyList<DateTimeOffset> times = [];
        if (body.Cron is not null)
        {
            if (body.Cron.Length > MaxCronLength)
            {
                return BadField("cron", $"at most {MaxCronLength} characters");
            }

            if (body.Count is < 1 or > MaxFireTimes)
            {
                return BadField("count", $"1 to {MaxFireTimes}");
            }

            try
            {
                times = TriggerStore.NextFireTimes(body.Cron, body.Count ?? DefaultFireTimes);
            }
            catch (TriggerDefinitionException ex)
            {
                return BadField(ex.Field, ex.Reason);
            }
        }

        if (body.Glob is not null && (body.Glob.Length > MaxGlobLength || TriggerStore.GlobProblem(body.Glob) is not null))
        {
            return BadField("glob", body.Glob.Length > MaxGlobLength ? $"at most {MaxGlobLength} characters" : TriggerStore.GlobProblem(body.Glob)!);
        }

        string? folder = null;
        if (body.Folder is not null && ResolveFolder(engine, body.Folder, out folder) is { } refused)
        {
            return refused;
        }

        return TypedResults.Ok(new TriggerCheckResult(true, times, folder));
    }

    private static async Task<Results<Ok<ScheduleDto>, ProblemHttpResult>> SetScheduleAsync(string id, bool enabled, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) =>
        await engine.Triggers.SetScheduleEnabledAsync(id, enabled, Principals.Actor(user), ct).ConfigureAwait(false)
            ? TypedResults.Ok((await FindScheduleAsync(engine, id, ct).ConfigureAwait(false))!)
            : NoSchedule(id);

    private static async Task<Results<Ok<WatchDto>, ProblemHttpResult>> SetWatchAsync(string id, bool enabled, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct) =>
        await engine.Triggers.SetFileWatchEnabledAsync(id, enabled, Principals.Actor(user), ct).ConfigureAwait(false)
            ? TypedResults.Ok((await FindWatchAsync(engine, id, ct).ConfigureAwait(false))!)
            : NoWatch(id);

    private static async Task<Results<Ok<FireResult>, ProblemHttpResult>> FireScheduleAsync(string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        var fired = await engine.Triggers.FireScheduleNowAsync(id, Principals.Actor(user), ct).ConfigureAwait(false);
        if (fired?.Firing is not { } firing)
        {
            return NoSchedule(id);
        }

        var result = new FireResult(TriggerStore.ScheduleKind, id, firing.Outcome.ToString(), fired.RunsStarted, firing.Message);
        return firing.Outcome switch
        {
            FiringOutcome.Started => TypedResults.Ok(result),
            FiringOutcome.SkippedOverlap => ProblemResponses.Problem(409, "Skipped: overlap", $"schedule '{id}': {firing.Message}; its overlap setting does not allow another run"),
            _ => ProblemResponses.Problem(422, "Firing failed", $"schedule '{id}': {firing.Message}"),
        };
    }

    private static async Task<Results<Ok<FireResult>, ProblemHttpResult>> ScanWatchAsync(string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        var scanned = await engine.Triggers.ScanFileWatchNowAsync(id, Principals.Actor(user), ct).ConfigureAwait(false);
        return scanned is null
            ? NoWatch(id)
            : TypedResults.Ok(new FireResult(TriggerStore.WatchKind, id, "Scanned", scanned.RunsStarted, $"{scanned.RunsStarted.Count} run(s) started"));
    }

    /// <summary>The checks shared by schedules and watches: id, what it runs (a stored definition only), parameters.</summary>
    private static ProblemHttpResult? CheckCommon(string? id, string? bodyId, string? routeId, string? definition, string? pinnedVersion, Dictionary<string, JsonElement>? parameters, JsonElement? workflow)
    {
        if (workflow is { ValueKind: not JsonValueKind.Null })
        {
            return BadField("workflow", "a trigger made through the API runs a stored definition ('definition', optionally 'pinnedVersion'), never a workflow file of the host", StatusCodes.Status403Forbidden);
        }

        if (string.IsNullOrWhiteSpace(id) || id.Length > MaxIdLength)
        {
            return BadField("id", $"an id of letters, digits, '_' and '-' is required (at most {MaxIdLength} characters)");
        }

        if (routeId is not null && bodyId is not null && bodyId != routeId)
        {
            return BadField("id", $"the body's id '{bodyId}' is not the id in the address '{routeId}' (an id cannot be changed; remove and create)");
        }

        if (string.IsNullOrWhiteSpace(definition) || definition.Length > MaxIdLength)
        {
            return BadField("definition", $"the id of a stored workflow definition is required (at most {MaxIdLength} characters)");
        }

        if (pinnedVersion is not null && !DefinitionVersions.IsHashOrPrefix(pinnedVersion))
        {
            return BadField("pinnedVersion", $"a definition hash ({DefinitionVersions.MinPrefix} to 64 lowercase hex digits), or none for the latest version");
        }

        if (parameters is { Count: > MaxParameters })
        {
            return BadField("parameters", $"at most {MaxParameters} parameters");
        }

        foreach (var (name, value) in parameters ?? [])
        {
            if (name.Length > MaxIdLength)
            {
                return BadField("parameters", $"a parameter name may have at most {MaxIdLength} characters");
            }

            var length = value.ValueKind == JsonValueKind.String ? value.GetString()!.Length : value.GetRawText().Length;
            if (length > MaxParameterValueLength)
            {
                return BadField($"parameters.{name}", $"a value may have at most {MaxParameterValueLength} characters");
            }
        }

        return null;
    }

    /// <summary>A watch's folder is a host folder: it must resolve inside the admin's data roots (and there must be roots).</summary>
    private static ProblemHttpResult? ResolveFolder(WorkflowEngine engine, string? folder, out string? resolved)
    {
        resolved = null;
        if (string.IsNullOrWhiteSpace(folder) || folder.Length > MaxFolderLength)
        {
            return BadField("folder", $"a folder inside the data roots is required (at most {MaxFolderLength} characters)");
        }

        var access = engine.Options.HostAccess;
        if (!access.IsRestricted)
        {
            return BadField("folder", "this engine runs without data roots (unrestricted), so the API may not name host folders; serve and worker always restrict (--data-root DIR)", StatusCodes.Status403Forbidden);
        }

        try
        {
            resolved = access.ResolvePath(folder, HostPathUse.Read, null);
            return null;
        }
        catch (HostAccessException ex)
        {
            return BadField("folder", ex.Reason, StatusCodes.Status403Forbidden);
        }
    }

    private static bool TryDuration(string? text, out TimeSpan? duration)
    {
        duration = null;
        if (text is null)
        {
            return true;
        }

        if (text.Length <= 32 && DurationText.TryParse(text, out var value))
        {
            duration = value;
            return true;
        }

        return false;
    }

    /// <summary>The engine binds parameters from texts, as typed on the command line: a JSON string is its text, anything else its JSON.</summary>
    private static Dictionary<string, string> Texts(Dictionary<string, JsonElement>? parameters) =>
        (parameters ?? []).ToDictionary(p => p.Key, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal);

    /// <summary>Reads a JSON body of at most <see cref="MaxBodyBytes"/> (413 beyond), before anything else is done with it.</summary>
    private static async Task<T> ReadBodyAsync<T>(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new BadHttpRequestException($"a trigger may have at most {MaxBodyBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 << 10];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new BadHttpRequestException($"a trigger may have at most {MaxBodyBytes} bytes", StatusCodes.Status413PayloadTooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw new BadHttpRequestException("the body must be a JSON object");
        }

        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return JsonSerializer.Deserialize<T>(buffer.ToArray(), options) ?? throw new BadHttpRequestException("the body must be a JSON object");
    }
}
