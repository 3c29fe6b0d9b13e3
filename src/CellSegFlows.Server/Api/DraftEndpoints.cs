using System.Security.Claims;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using CellSegFlows.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Server.Api;

/// <summary>A workflow's draft: saved edits not yet published, with the problems validation finds in them (a draft may have some).</summary>
public sealed record DefinitionDraft(string WorkflowId, string Json, DateTimeOffset SavedAt, string? SavedBy, string? BaseHash, IReadOnlyList<ProblemItem> Problems);

/// <summary>
/// Draft and publish: editors save edits as the workflow's draft (one per workflow, replaced by each save) without
/// changing what runs; publishing validates the draft and makes it a version, which triggers and runs then use.
/// </summary>
internal static class DraftEndpoints
{
    /// <summary>The word that names the draft where a version hash is expected (diff).</summary>
    public const string DraftName = "draft";

    public static void Map(RouteGroupBuilder api)
    {
        var workflows = api.MapGroup("/workflows").WithTags("Definitions");
        workflows.MapGet("/{id}/draft", GetAsync).WithSummary("The workflow's draft (saved edits not yet published) with its validation problems; 404 when it has none.");
        workflows.MapPut("/{id}/draft", SaveAsync).RequireAuthorization(Roles.Policies.Edit)
            .Accepts<object>("application/json")
            .WithSummary("Save the body as the workflow's draft (editor): it must parse and carry this id; validation problems are answered, not refused, so work in progress can be kept. Nothing runs it until it is published.")
            .ProducesProblem(400).ProducesProblem(422);
        workflows.MapDelete("/{id}/draft", DiscardAsync).RequireAuthorization(Roles.Policies.Edit).WithSummary("Discard the draft (editor); the published versions stay.");
        workflows.MapPost("/{id}/publish", PublishAsync).RequireAuthorization(Roles.Policies.Edit)
            .WithSummary("Publish the draft as a new version (editor): validated first (422 with every problem, nothing published); the draft is then gone and triggers and runs use the new version.")
            .ProducesProblem(404).ProducesProblem(422);
    }

    internal static async Task<DefinitionDraftRecord?> FindAsync(WorkflowEngine engine, string id, CancellationToken ct)
    {
        await using var db = engine.Store.CreateContext();
        return await db.Drafts.AsNoTracking().FirstOrDefaultAsync(d => d.WorkflowId == id, ct).ConfigureAwait(false);
    }

    /// <summary>The draft parsed and validated; the problems are empty when it may be published or run.</summary>
    internal static (WorkflowDefinition? Definition, IReadOnlyList<DefinitionProblem> Problems) Check(WorkflowEngine engine, DefinitionDraftRecord draft)
    {
        try
        {
            var definition = WorkflowDefinitionReader.Parse(draft.Json, $"draft of {draft.WorkflowId}");
            return (definition, WorkflowValidator.Validate(definition, engine.Registry, engine.Options.Limits));
        }
        catch (WorkflowDefinitionException e)
        {
            return (null, e.Problems);
        }
    }

    private static ProblemHttpResult NoDraft(string id) => ProblemResponses.Problem(404, "No draft", $"workflow '{id}' has no draft");

    private static DefinitionDraft ToDto(WorkflowEngine engine, DefinitionDraftRecord d) =>
        new(d.WorkflowId, d.Json, d.SavedAt, d.SavedBy, d.BaseHash, ProblemResponses.Items(Check(engine, d).Problems));

    private static async Task<Results<Ok<DefinitionDraft>, ProblemHttpResult>> GetAsync(string id, WorkflowEngine engine, CancellationToken ct) =>
        await FindAsync(engine, id, ct).ConfigureAwait(false) is { } draft ? TypedResults.Ok(ToDto(engine, draft)) : NoDraft(id);

    private static async Task<Results<Ok<DefinitionDraft>, ProblemHttpResult>> SaveAsync(string id, HttpRequest request, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        // Stored in the new spelling; a definition that does not parse is refused (422 with its line), one that parses is kept with its problems.
        var json = DefinitionUpgrade.Apply(await DefinitionEndpoints.ReadBodyAsync(request, ct).ConfigureAwait(false), engine.Registry).Json;
        var definition = WorkflowDefinitionReader.Parse(json, "request body");
        if (definition.Id != id)
        {
            return ProblemResponses.Problem(400, "Wrong workflow", $"the body's id is '{definition.Id}', the address names '{id}'");
        }

        var actor = Principals.Actor(user);
        var normal = WorkflowDefinitionWriter.ToJson(definition);
        var saved = await engine.Store.WriteAsync(async db =>
        {
            var latest = await DefinitionVersions.LatestAsync(db, id, ct).ConfigureAwait(false);
            var record = await db.Drafts.FirstOrDefaultAsync(d => d.WorkflowId == id, ct).ConfigureAwait(false);
            if (record is null)
            {
                record = new DefinitionDraftRecord { WorkflowId = id, Json = normal, BaseHash = latest?.Hash };
                db.Drafts.Add(record);
            }

            record.Json = normal;
            record.SavedAt = DateTimeOffset.UtcNow;
            record.SavedBy = actor;
            AuditLog.Add(db, actor, "definition.draft", id, $"draft of {id} saved");
            return record;
        }, ct).ConfigureAwait(false);
        return TypedResults.Ok(ToDto(engine, saved));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DiscardAsync(string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        var actor = Principals.Actor(user);
        var removed = await engine.Store.WriteAsync(async db =>
        {
            var record = await db.Drafts.FirstOrDefaultAsync(d => d.WorkflowId == id, ct).ConfigureAwait(false);
            if (record is null)
            {
                return false;
            }

            db.Drafts.Remove(record);
            AuditLog.Add(db, actor, "definition.discard", id, $"draft of {id} discarded");
            return true;
        }, ct).ConfigureAwait(false);
        return removed ? TypedResults.NoContent() : NoDraft(id);
    }

    private static async Task<Results<Created<SaveResult>, Ok<SaveResult>, ProblemHttpResult>> PublishAsync(string id, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        if (await FindAsync(engine, id, ct).ConfigureAwait(false) is not { } draft)
        {
            return NoDraft(id);
        }

        var (definition, problems) = Check(engine, draft);
        if (problems.Count > 0 || definition is null)
        {
            return ProblemResponses.DefinitionProblems($"draft of {id}", problems);
        }

        var actor = Principals.Actor(user);
        var (created, note, record) = await DefinitionEndpoints.SaveVersionAsync(engine, definition, actor, ct, publishedDraftSavedAt: draft.SavedAt).ConfigureAwait(false);
        var result = new SaveResult(created, note, DefinitionEndpoints.ToVersion(record, withJson: true));
        return created ? TypedResults.Created($"/api/definitions/{record.Hash}", result) : TypedResults.Ok(result);
    }
}
