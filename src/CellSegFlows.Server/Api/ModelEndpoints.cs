using System.Security.Claims;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Registry;
using CellSegFlows.Engine.Store;
using CellSegFlows.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CellSegFlows.Server.Api;

/// <summary>A registered model: its champion and how many versions it has.</summary>
public sealed record ModelDto(string Name, int? Champion, int Versions, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One version: the artifact, the run and data that produced it, its scores.</summary>
public sealed record ModelVersionDto(int Version, bool Champion, string ArtifactHash, string ArtifactName, long ArtifactSize, string? RunId, string? StepId, JsonNode? Data, JsonNode? Metrics, string? CreatedBy, DateTimeOffset CreatedAt);

/// <summary>One decision about the champion.</summary>
public sealed record ModelDecisionDto(long Id, int Version, int? PreviousChampion, string Decision, string? Metric, double? ChallengerScore, double? ChampionScore, double? Margin, string Reason, string? RunId, string By, DateTimeOffset Time);

/// <summary>A model with its versions and decisions, newest first.</summary>
public sealed record ModelDetailDto(ModelDto Model, IReadOnlyList<ModelVersionDto> Versions, IReadOnlyList<ModelDecisionDto> Decisions);

/// <summary>Set the champion by hand.</summary>
public sealed record SetChampionRequest(int Version, string Reason);

/// <summary>The model registry over HTTP: read by everyone, the champion changed by hand by operators (audited).</summary>
internal static class ModelEndpoints
{
    private const int MaxReason = 2000;

    public static void Map(RouteGroupBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("Models");
        models.MapGet("/", ListAsync).WithSummary("Registered models with their champion and number of versions.");
        models.MapGet("/{name}", DetailAsync).WithSummary("A model's versions (artifact, run, data, scores) and every decision about its champion, newest first.");
        models.MapPost("/{name}/champion", SetChampionAsync).RequireAuthorization(Roles.Policies.Operate)
            .WithSummary("Make a version the champion by hand (promote or roll back); the reason is required and kept in the decisions and the audit log.");
    }

    private static async Task<IReadOnlyList<ModelDto>> ListAsync(WorkflowEngine engine, CancellationToken ct) =>
        (await new ModelRegistry(engine.Store).ListAsync(ct).ConfigureAwait(false)).Select(ToDto).ToList();

    private static async Task<Results<Ok<ModelDetailDto>, ProblemHttpResult>> DetailAsync(string name, WorkflowEngine engine, CancellationToken ct)
    {
        var info = await new ModelRegistry(engine.Store).GetAsync(name, ct).ConfigureAwait(false);
        return info is null ? ProblemResponses.Problem(404, "No such model", $"no registered model '{name}'") : TypedResults.Ok(ToDto(info));
    }

    private static async Task<Results<Ok<ModelDetailDto>, ProblemHttpResult>> SetChampionAsync(string name, SetChampionRequest body, WorkflowEngine engine, ClaimsPrincipal user, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > MaxReason)
        {
            return ProblemResponses.Problem(400, "Invalid request", $"reason: required, at most {MaxReason} characters");
        }

        var registry = new ModelRegistry(engine.Store);
        try
        {
            await registry.SetChampionAsync(name, body.Version, Principals.Actor(user), body.Reason, ct).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            return ProblemResponses.Problem(ex.Message.StartsWith("no registered model", StringComparison.Ordinal) ? 404 : 400, "Cannot set the champion", ex.Message);
        }

        return TypedResults.Ok(ToDto((await registry.GetAsync(name, ct).ConfigureAwait(false))!));
    }

    private static ModelDto ToDto(RegisteredModelRecord m) => new(m.Name, m.ChampionVersion, m.VersionCount, m.CreatedAt, m.UpdatedAt);

    private static ModelDetailDto ToDto(ModelInfo info) => new(
        ToDto(info.Model),
        [.. info.Versions.Select(v => new ModelVersionDto(v.Version, v.Version == info.Model.ChampionVersion, v.ArtifactHash, v.ArtifactName, v.ArtifactSize, v.RunId, v.StepId,
            Parse(v.DataJson), Parse(v.MetricsJson), v.CreatedBy, v.CreatedAt))],
        [.. info.Decisions.Select(d => new ModelDecisionDto(d.Id, d.Version, d.PreviousChampion, d.Decision.ToString(), d.Metric, d.ChallengerScore, d.ChampionScore, d.Margin, d.Reason, d.RunId, d.By, d.Time))]);

    private static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);
}
