using System.Security.Claims;
using System.Text;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Server.Api.Contracts;
using CellSegFlows.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Server.Api;

/// <summary>A saved definition version (the JSON only when asked for one version).</summary>
public sealed record DefinitionVersion(string Hash, string WorkflowId, int VersionLabel, string Description, DateTimeOffset SavedAt, string? SavedBy, string? Json)
{
    /// <summary>A draft's content that a run of the draft stored, not a published version.</summary>
    public bool Draft { get; init; }
}

/// <summary>A workflow with its latest published version (null while it has only a draft), how many versions it has, and its draft if any.</summary>
public sealed record WorkflowSummary(string Id, DefinitionVersion? Latest, int Versions, DateTimeOffset? LastRunAt, string? LastRunStatus)
{
    /// <summary>When the draft was last saved (null: no draft).</summary>
    public DateTimeOffset? DraftSavedAt { get; init; }

    /// <summary>Who saved the draft last.</summary>
    public string? DraftSavedBy { get; init; }
}

/// <summary>The answer to a save.</summary>
public sealed record SaveResult(bool Created, string? Note, DefinitionVersion Version);

/// <summary>The answer to a validation that found nothing wrong.</summary>
public sealed record ValidationResult(bool Valid, string WorkflowId, string Hash, IReadOnlyList<ProblemItem> Problems)
{
    /// <summary>Deprecated names that were upgraded (the definition is valid; saved, it is stored in the new spelling).</summary>
    public IReadOnlyList<ProblemItem> Warnings { get; init; } = [];
}

/// <summary>Two versions' normal forms compared line by line.</summary>
public sealed record DefinitionDiff(string WorkflowId, DefinitionVersion From, DefinitionVersion To, int Added, int Removed, IReadOnlyList<DiffLine> Lines);

/// <summary>Workflow definitions: versions in the run store, named by content hash; save validates first; diff; activities.</summary>
internal static class DefinitionEndpoints
{
    private const int MaxDefinitionBytes = 4 << 20;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/activities", (WorkflowEngine engine) => engine.Registry.All.ToDtos(ActivityMapping.ToDto))
            .WithTags("Definitions").WithSummary("The activity registry: type, version, category, description, queue, inputs (type, required, default) and outputs; the studio builds its forms from it.");

        var workflows = api.MapGroup("/workflows").WithTags("Definitions");
        workflows.MapGet("/", ListAsync).WithSummary("Every workflow with its latest published version (null while it has only a draft) and when its draft was saved, if it has one.");
        workflows.MapGet("/{id}", async Task<Results<Ok<DefinitionVersion>, ProblemHttpResult>> (string id, WorkflowEngine engine, CancellationToken ct) =>
        {
            var versions = await VersionsAsync(engine, id, withJson: true, ct).ConfigureAwait(false);
            return versions.Count == 0 ? NoWorkflow(id) : TypedResults.Ok(versions[0]);
        }).WithSummary("The latest version of a workflow, with its JSON.");
        workflows.MapGet("/{id}/versions", async Task<Results<Ok<IReadOnlyList<DefinitionVersion>>, ProblemHttpResult>> (string id, WorkflowEngine engine, CancellationToken ct) =>
        {
            var versions = await VersionsAsync(engine, id, withJson: false, ct).ConfigureAwait(false);
            return versions.Count == 0 ? NoWorkflow(id) : TypedResults.Ok(versions);
        }).WithSummary("Every saved version of a workflow, newest first.");
        workflows.MapGet("/{id}/export", ExportAsync)
            .WithSummary("Download a definition as a workflow file (the stored normal-form JSON): the latest version, or ?version=HASH (or unique prefix); the file is named ID.json.")
            .Produces(200, contentType: "application/json").ProducesProblem(404);
        workflows.MapGet("/{id}/diff", DiffAsync).WithSummary("Line diff of two versions' normal-form JSON (from/to: version hashes or hash prefixes, or 'draft' for the workflow's draft; to defaults to the latest published).");
        workflows.MapPost("/validate", ValidateAsync)
            .Accepts<object>("application/json")
            .WithSummary("Check a definition (the body) against the activity registry: 200 when valid, else 422 listing every problem with node and field.")
            .ProducesProblem(422);
        workflows.MapPost("/", SaveAsync).RequireAuthorization(Roles.Policies.Edit)
            .Accepts<object>("application/json")
            .WithSummary("Save and publish a definition (the body) in one step, as a new version (automation and imports; the studio saves a draft and publishes it): validated first (422 with every problem, nothing saved); the version label is raised above the latest when needed; the same content saves nothing new.")
            .ProducesProblem(422);
        api.MapGet("/definitions/{hash}", async Task<Results<Ok<DefinitionVersion>, ProblemHttpResult>> (string hash, WorkflowEngine engine, CancellationToken ct) =>
            await FindVersionAsync(engine, hash, ct).ConfigureAwait(false) is { } v ? TypedResults.Ok(v) : ProblemResponses.Problem(404, "No such definition version", $"no definition version '{hash}'"))
            .WithTags("Definitions").WithSummary("One definition version by hash (or unique prefix), with its JSON: what a run executed.");
    }

    private static ProblemHttpResult NoWorkflow(string id) => ProblemResponses.Problem(404, "No such workflow", $"no saved workflow '{id}'");

    private static async Task<IReadOnlyList<WorkflowSummary>> ListAsync(WorkflowEngine engine, CancellationToken ct)
    {
        await using var db = engine.Store.CreateContext();
        var all = await db.Definitions.AsNoTracking().Where(d => !d.Draft).Select(d => new { d.Hash, d.WorkflowId, d.VersionLabel, d.SavedAt, d.SavedBy, d.Json }).ToListAsync(ct).ConfigureAwait(false);
        var drafts = (await db.Drafts.AsNoTracking().ToListAsync(ct).ConfigureAwait(false)).ToDictionary(d => d.WorkflowId, StringComparer.Ordinal);
        // The last run of each workflow listed: one read of the (workflow_id, created_at, id) index each, not the runs table.
        var lastRun = new Dictionary<string, (DateTimeOffset CreatedAt, RunStatus Status)>(StringComparer.Ordinal);
        foreach (var workflowId in all.Select(d => d.WorkflowId).Union(drafts.Keys).Distinct())
        {
            var last = await db.Runs.AsNoTracking().Where(r => r.WorkflowId == workflowId).OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
                .Select(r => new { r.CreatedAt, r.Status }).FirstOrDefaultAsync(ct).ConfigureAwait(false);
            if (last is not null)
            {
                lastRun[workflowId] = (last.CreatedAt, last.Status);
            }
        }

        var byWorkflow = all.GroupBy(d => d.WorkflowId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        return byWorkflow.Keys.Union(drafts.Keys)
            .Select(id =>
            {
                var versions = byWorkflow.GetValueOrDefault(id) ?? [];
                var latest = versions.OrderByDescending(d => d.SavedAt).ThenByDescending(d => d.VersionLabel).FirstOrDefault();
                var hasRun = lastRun.TryGetValue(id, out var last);
                drafts.TryGetValue(id, out var draft);
                return new WorkflowSummary(id, latest is null ? null : new DefinitionVersion(latest.Hash, latest.WorkflowId, latest.VersionLabel, DescriptionOf(latest.Json), latest.SavedAt, latest.SavedBy, null),
                    versions.Count, hasRun ? last.CreatedAt : null, hasRun ? last.Status.ToString() : null)
                { DraftSavedAt = draft?.SavedAt, DraftSavedBy = draft?.SavedBy };
            })
            .OrderBy(w => w.Id, StringComparer.Ordinal)
            .ToList();
    }

    internal static async Task<IReadOnlyList<DefinitionVersion>> VersionsAsync(WorkflowEngine engine, string id, bool withJson, CancellationToken ct)
    {
        await using var db = engine.Store.CreateContext();
        var records = await db.Definitions.AsNoTracking().Where(d => d.WorkflowId == id && !d.Draft).ToListAsync(ct).ConfigureAwait(false);
        return records.OrderByDescending(d => d.SavedAt).ThenByDescending(d => d.VersionLabel)
            .Select((d, i) => ToVersion(d, withJson && i == 0)).ToList();
    }

    internal static async Task<DefinitionVersion?> FindVersionAsync(WorkflowEngine engine, string hash, CancellationToken ct)
    {
        if (hash.Length is < 6 or > 64 || !hash.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        await using var db = engine.Store.CreateContext();
        var found = await db.Definitions.AsNoTracking().Where(d => d.Hash.StartsWith(hash)).Take(2).ToListAsync(ct).ConfigureAwait(false);
        return found.Count == 1 ? ToVersion(found[0], withJson: true) : null;
    }

    private static async Task<Results<Ok<ValidationResult>, ProblemHttpResult>> ValidateAsync(HttpRequest request, WorkflowEngine engine, CancellationToken ct)
    {
        var upgraded = DefinitionUpgrade.Apply(await ReadBodyAsync(request, ct).ConfigureAwait(false), engine.Registry);
        var definition = WorkflowDefinitionReader.Parse(upgraded.Json, "request body");
        var problems = WorkflowValidator.Validate(definition, engine.Registry, engine.Options.Limits);
        return problems.Count > 0
            ? ProblemResponses.DefinitionProblems("request body", problems)
            : TypedResults.Ok(new ValidationResult(true, definition.Id, DefinitionHash.Compute(definition), []) { Warnings = ProblemResponses.Items(upgraded.Warnings) });
    }

    private static async Task<Results<Created<SaveResult>, Ok<SaveResult>, ProblemHttpResult>> SaveAsync(HttpRequest request, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        // Saved in the new spelling: a deprecated name is upgraded here, once.
        var json = DefinitionUpgrade.Apply(await ReadBodyAsync(request, ct).ConfigureAwait(false), engine.Registry).Json;
        var definition = WorkflowDefinitionReader.Parse(json, "request body");
        var problems = WorkflowValidator.Validate(definition, engine.Registry, engine.Options.Limits);
        if (problems.Count > 0)
        {
            return ProblemResponses.DefinitionProblems("request body", problems);
        }

        var actor = Principals.Actor(user);
        var (created, note, record) = await SaveVersionAsync(engine, definition, actor, ct).ConfigureAwait(false);
        var result = new SaveResult(created, note, ToVersion(record, withJson: true));
        return created ? TypedResults.Created($"/api/definitions/{record.Hash}", result) : TypedResults.Ok(result);
    }

    /// <summary>
    /// Saves a validated definition as a published version named by its content hash (nothing new when that content is
    /// published already; the version label is raised above the latest published when needed), audited as
    /// <paramref name="actor"/>. With <paramref name="publishedDraftSavedAt"/> it publishes the workflow's draft: the draft is
    /// removed in the same transaction unless it was saved again meanwhile. Content a run of a draft stored becomes published.
    /// </summary>
    internal static async Task<(bool Created, string? Note, DefinitionVersionRecord Record)> SaveVersionAsync(WorkflowEngine engine, WorkflowDefinition definition, string actor, CancellationToken ct, DateTimeOffset? publishedDraftSavedAt = null)
    {
        return await engine.Store.WriteAsync(async db =>
        {
            if (publishedDraftSavedAt is { } draftSavedAt
                && await db.Drafts.FirstOrDefaultAsync(d => d.WorkflowId == definition.Id, ct).ConfigureAwait(false) is { } draft
                && draft.SavedAt == draftSavedAt)
            {
                db.Drafts.Remove(draft);
            }

            var published = await db.Definitions.Where(d => d.WorkflowId == definition.Id && !d.Draft).Select(d => new { d.Hash, d.VersionLabel }).ToListAsync(ct).ConfigureAwait(false);
            var hash = DefinitionHash.Compute(definition);
            if (published.Any(e => e.Hash == hash))
            {
                return (false, "this exact definition is published already", (await db.Definitions.FindAsync([hash], ct).ConfigureAwait(false))!);
            }

            string? note = null;
            var max = published.Count == 0 ? 0 : published.Max(e => e.VersionLabel);
            var toSave = definition;
            if (definition.Version <= max)
            {
                toSave = definition with { Version = max + 1 };
                note = $"version label raised from {definition.Version} to {max + 1} (the latest published is {max})";
                hash = DefinitionHash.Compute(toSave);
            }

            var action = publishedDraftSavedAt is null ? "definition.save" : "definition.publish";
            AuditLog.Add(db, actor, action, hash, $"{toSave.Id} version {toSave.Version}");
            if (await db.Definitions.FindAsync([hash], ct).ConfigureAwait(false) is { } stored)
            {
                // A run of the draft stored this content already: it is the version from now on.
                stored.Draft = false;
                stored.SavedAt = DateTimeOffset.UtcNow;
                stored.SavedBy = actor;
                return (true, note, stored);
            }

            var record = new DefinitionVersionRecord
            {
                Hash = hash, WorkflowId = toSave.Id, VersionLabel = toSave.Version, Json = WorkflowDefinitionWriter.ToJson(toSave),
                SavedAt = DateTimeOffset.UtcNow, SavedBy = actor,
            };
            db.Definitions.Add(record);
            return (true, note, record);
        }, ct).ConfigureAwait(false);
    }

    private static async Task<Results<Ok<DefinitionDiff>, ProblemHttpResult>> DiffAsync(string id, string from, string? to, WorkflowEngine engine, CancellationToken ct)
    {
        if ((from == DraftEndpoints.DraftName || to == DraftEndpoints.DraftName) && await DraftEndpoints.FindAsync(engine, id, ct).ConfigureAwait(false) is null)
        {
            return ProblemResponses.Problem(404, "No draft", $"workflow '{id}' has no draft");
        }

        var a = await VersionOrDraftAsync(engine, id, from, ct).ConfigureAwait(false);
        var latest = to is null ? (await VersionsAsync(engine, id, withJson: false, ct).ConfigureAwait(false)).FirstOrDefault() : null;
        var b = await VersionOrDraftAsync(engine, id, to ?? latest?.Hash ?? string.Empty, ct).ConfigureAwait(false);
        if (a is null || a.WorkflowId != id)
        {
            return ProblemResponses.Problem(404, "No such definition version", $"workflow '{id}' has no version '{from}'");
        }

        if (b is null || b.WorkflowId != id)
        {
            return ProblemResponses.Problem(404, "No such definition version", $"workflow '{id}' has no version '{to}'");
        }

        var lines = LineDiff.Compute(NormalForm(a), NormalForm(b));
        return TypedResults.Ok(new DefinitionDiff(id, a with { Json = null }, b with { Json = null }, lines.Count(l => l.Op == "+"), lines.Count(l => l.Op == "-"), lines));
    }

    /// <summary>A version by hash, or the draft (word <c>draft</c>) as a pseudo-version labelled like its content, hash <c>draft</c>.</summary>
    private static async Task<DefinitionVersion?> VersionOrDraftAsync(WorkflowEngine engine, string id, string hashOrDraft, CancellationToken ct)
    {
        if (hashOrDraft != DraftEndpoints.DraftName)
        {
            return await FindVersionAsync(engine, hashOrDraft, ct).ConfigureAwait(false);
        }

        var draft = await DraftEndpoints.FindAsync(engine, id, ct).ConfigureAwait(false);
        if (draft is null)
        {
            return null;
        }

        var label = WorkflowDefinitionReader.Parse(draft.Json, $"draft of {id}").Version;
        return new DefinitionVersion(DraftEndpoints.DraftName, id, label, DescriptionOf(draft.Json), draft.SavedAt, draft.SavedBy, draft.Json) { Draft = true };
    }

    private static async Task<IResult> ExportAsync(string id, string? version, WorkflowEngine engine, CancellationToken ct)
    {
        DefinitionVersionRecord? record;
        await using (var db = engine.Store.CreateContext())
        {
            record = await DefinitionVersions.LatestOrAsync(db, id, version, ct).ConfigureAwait(false);
        }

        if (record is null)
        {
            return version is null ? NoWorkflow(id) : ProblemResponses.Problem(404, "No such definition version", $"workflow '{id}' has no version '{version}'");
        }

        // A workflow id is letters, digits, '_' and '-', so it is a safe file name as it is.
        return Results.File(Encoding.UTF8.GetBytes(record.Json + "\n"), "application/json", $"{record.WorkflowId}.json");
    }

    private static string NormalForm(DefinitionVersion v) => WorkflowDefinitionWriter.ToJson(WorkflowDefinitionReader.Parse(v.Json!, v.Hash));

    internal static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxDefinitionBytes)
        {
            throw new BadHttpRequestException($"a definition may have at most {MaxDefinitionBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new BadHttpRequestException("the body must be a workflow definition (JSON)");
        }

        return text.Length > MaxDefinitionBytes ? throw new BadHttpRequestException($"a definition may have at most {MaxDefinitionBytes} bytes", StatusCodes.Status413PayloadTooLarge) : text;
    }

    internal static DefinitionVersion ToVersion(DefinitionVersionRecord d, bool withJson) =>
        new(d.Hash, d.WorkflowId, d.VersionLabel, DescriptionOf(d.Json), d.SavedAt, d.SavedBy, withJson ? d.Json : null) { Draft = d.Draft };

    private static string DescriptionOf(string json)
    {
        try
        {
            return WorkflowDefinitionReader.Parse(json, "stored").Description;
        }
        catch (WorkflowDefinitionException)
        {
            return string.Empty;
        }
    }
}
