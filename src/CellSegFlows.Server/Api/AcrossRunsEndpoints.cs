using System.Text.Json;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Hosting;
using CellSegFlows.Engine.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Server.Api;

/// <summary>A metric the runs of a workflow reported, with how many runs reported it.</summary>
public sealed record MetricName(string Name, int Runs);

/// <summary>One run's value of a metric: the last value it reported (or the minimum or maximum), and where.</summary>
public sealed record MetricPoint(string RunId, DateTimeOffset StartedAt, RunStatus Status, string DefinitionHash, double Value, string StepId, int Reports)
{
    /// <summary>Registered models whose champion version this run produced ("name v3").</summary>
    public IReadOnlyList<string> Champions { get; init; } = [];

    /// <summary>Registered model versions this run produced ("name v3").</summary>
    public IReadOnlyList<string> Registered { get; init; } = [];
}

/// <summary>A metric over the runs of a workflow, oldest run first.</summary>
public sealed record MetricSeries(string WorkflowId, string Metric, string Aggregate, IReadOnlyList<MetricPoint> Points);

/// <summary>Where an artifact was made or used: the step, its node and activity, the run.</summary>
public sealed record LineageStep(string RunId, string WorkflowId, string StepId, string NodeId, string Activity, DateTimeOffset? Time);

/// <summary>An artifact next to the one asked about (an input of its producer).</summary>
public sealed record LineageArtifact(string Hash, string Name, long Size, string? Input);

/// <summary>The lineage of an artifact: which steps produced it, from which inputs' artifacts, which later steps consumed it, and registered model versions of it.</summary>
public sealed record ArtifactLineage(string Hash, string Name, long Size, IReadOnlyList<LineageStep> Producers, IReadOnlyList<LineageArtifact> Inputs, IReadOnlyList<LineageStep> Consumers, IReadOnlyList<string> ModelVersions, bool ConsumersTruncated);

/// <summary>Across runs: a metric over the runs of a workflow (with champions marked) and an artifact's lineage.</summary>
internal static class AcrossRunsEndpoints
{
    private const int MaxRuns = 2000;
    private const int MaxConsumers = 200;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/workflows/{id}/metric-names", NamesAsync).WithTags("Runs")
            .WithSummary("The metrics that runs of the workflow reported (among its latest 2000 runs), with how many runs reported each.");
        api.MapGet("/workflows/{id}/metrics", SeriesAsync).WithTags("Runs")
            .WithSummary("One metric over the runs of a workflow, oldest first (x = run start): per run its last value (aggregate=last, default), or min / max; the latest runs (limit, 1 to 2000, default 500) that reported it; runs that produced a registered model's champion are marked.")
            .ProducesProblem(400).ProducesProblem(404);
        api.MapGet("/artifacts/{hash}/lineage", LineageAsync).WithTags("Runs")
            .WithSummary("An artifact's lineage: the steps (and runs) that produced it, the artifacts among their inputs, later steps that consumed it (at most 200), and model versions registered from it.")
            .ProducesProblem(400).ProducesProblem(404);
    }

    private static async Task<List<RunRecord>> LatestRunsAsync(RunDbContext db, string workflow, int limit, CancellationToken ct) =>
        await db.Runs.AsNoTracking().Where(r => r.WorkflowId == workflow).OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(limit).ToListAsync(ct).ConfigureAwait(false);

    private static async Task<Results<Ok<IReadOnlyList<MetricName>>, ProblemHttpResult>> NamesAsync(string id, WorkflowEngine engine, CancellationToken ct)
    {
        await using var db = engine.Store.CreateContext();
        var runIds = (await LatestRunsAsync(db, id, MaxRuns, ct).ConfigureAwait(false)).Select(r => r.Id).ToList();
        if (runIds.Count == 0)
        {
            return ProblemResponses.Problem(404, "No runs", $"workflow '{id}' has no runs");
        }

        var pairs = await db.Metrics.AsNoTracking().Where(m => runIds.Contains(m.RunId)).Select(m => new { m.Name, m.RunId }).Distinct().ToListAsync(ct).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<MetricName>>(pairs.GroupBy(p => p.Name).Select(g => new MetricName(g.Key, g.Count())).OrderBy(n => n.Name, StringComparer.Ordinal).ToList());
    }

    private static async Task<Results<Ok<MetricSeries>, ProblemHttpResult>> SeriesAsync(string id, string? name, string? aggregate, int? limit, WorkflowEngine engine, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return ProblemResponses.Problem(400, "Bad query", "name: the metric (1 to 200 characters; /metric-names lists them)");
        }

        var agg = aggregate ?? "last";
        if (agg is not ("last" or "min" or "max"))
        {
            return ProblemResponses.Problem(400, "Bad query", $"aggregate '{agg}': one of last, min, max");
        }

        if (limit is < 1 or > MaxRuns)
        {
            return ProblemResponses.Problem(400, "Bad query", $"limit: 1 to {MaxRuns}");
        }

        await using var db = engine.Store.CreateContext();
        var runs = await LatestRunsAsync(db, id, MaxRuns, ct).ConfigureAwait(false);
        if (runs.Count == 0)
        {
            return ProblemResponses.Problem(404, "No runs", $"workflow '{id}' has no runs");
        }

        var runIds = runs.Select(r => r.Id).ToList();
        var metrics = await db.Metrics.AsNoTracking().Where(m => m.Name == name && runIds.Contains(m.RunId)).ToListAsync(ct).ConfigureAwait(false);
        var models = await db.Models.AsNoTracking().Where(m => m.ChampionVersion != null).ToListAsync(ct).ConfigureAwait(false);
        var versions = await db.ModelVersions.AsNoTracking().Where(v => v.RunId != null && runIds.Contains(v.RunId)).ToListAsync(ct).ConfigureAwait(false);
        var champions = versions.Where(v => models.Any(m => m.Name == v.Name && m.ChampionVersion == v.Version)).ToLookup(v => v.RunId!, v => $"{v.Name} v{v.Version}");
        var registered = versions.ToLookup(v => v.RunId!, v => $"{v.Name} v{v.Version}");
        var byRun = metrics.GroupBy(m => m.RunId).ToDictionary(g => g.Key, g => g.OrderBy(m => m.Id).ToList(), StringComparer.Ordinal);
        var points = runs.Where(r => byRun.ContainsKey(r.Id)).Take(limit ?? 500).Select(r =>
        {
            var list = byRun[r.Id];
            var chosen = agg switch { "min" => list.MinBy(m => m.Value)!, "max" => list.MaxBy(m => m.Value)!, _ => list[^1] };
            return new MetricPoint(r.Id, r.CreatedAt, r.Status, r.DefinitionHash, chosen.Value, chosen.StepId, list.Count)
            {
                Champions = champions[r.Id].ToList(), Registered = registered[r.Id].ToList(),
            };
        }).Reverse().ToList();
        return TypedResults.Ok(new MetricSeries(id, name, agg, points));
    }

    private static async Task<Results<Ok<ArtifactLineage>, ProblemHttpResult>> LineageAsync(string hash, WorkflowEngine engine, CancellationToken ct)
    {
        if (!LocalArtifactStore.IsHash(hash))
        {
            return ProblemResponses.Problem(400, "Bad artifact id", "an artifact is named by its SHA-256: 64 lowercase hex digits");
        }

        await using var db = engine.Store.CreateContext();
        var records = await db.Artifacts.AsNoTracking().Where(a => a.Hash == hash).OrderBy(a => a.Id).Take(100).ToListAsync(ct).ConfigureAwait(false);
        if (records.Count == 0)
        {
            return ProblemResponses.Problem(404, "No such artifact", $"no artifact {hash} was recorded by a run");
        }

        var producerIds = records.Select(r => r.StepId).Distinct().ToList();
        var producerSteps = await db.Steps.AsNoTracking().Where(s => producerIds.Contains(s.Id)).ToListAsync(ct).ConfigureAwait(false);

        // A step's inputs name artifacts by hash (an ArtifactRef's JSON); the hash in another step's inputs is a use.
        var pattern = "%" + hash + "%";
        var consumerSteps = await db.Steps.AsNoTracking().Where(s => s.InputsJson != null && EF.Functions.Like(s.InputsJson, pattern))
            .OrderBy(s => s.StartedAt).Take(MaxConsumers + 1).ToListAsync(ct).ConfigureAwait(false);
        var runIds = producerSteps.Concat(consumerSteps).Select(s => s.RunId).Distinct().ToList();
        var workflows = await db.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id)).Select(r => new { r.Id, r.WorkflowId }).ToDictionaryAsync(r => r.Id, r => r.WorkflowId, ct).ConfigureAwait(false);
        LineageStep ToStep(StepRecord s, DateTimeOffset? time) => new(s.RunId, workflows.GetValueOrDefault(s.RunId) ?? string.Empty, s.Id, s.NodeId, s.Activity, time);

        var inputs = new List<LineageArtifact>();
        foreach (var step in producerSteps.Where(s => s.InputsJson is not null))
        {
            foreach (var (input, reference) in ArtifactsIn(step.InputsJson!))
            {
                if (reference.Hash != hash && !inputs.Any(i => i.Hash == reference.Hash && i.Input == input))
                {
                    inputs.Add(new LineageArtifact(reference.Hash, reference.Name, reference.Size, input));
                }
            }
        }

        var modelVersions = await db.ModelVersions.AsNoTracking().Where(v => v.ArtifactHash == hash).Select(v => new { v.Name, v.Version }).ToListAsync(ct).ConfigureAwait(false);
        var first = records[0];
        return TypedResults.Ok(new ArtifactLineage(hash, first.Name, first.Size,
            records.Select(r => producerSteps.FirstOrDefault(s => s.Id == r.StepId) is { } s ? ToStep(s, r.CreatedAt) : new LineageStep(r.RunId, workflows.GetValueOrDefault(r.RunId) ?? string.Empty, r.StepId, string.Empty, string.Empty, r.CreatedAt)).ToList(),
            inputs,
            consumerSteps.Where(s => !producerIds.Contains(s.Id)).Take(MaxConsumers).Select(s => ToStep(s, s.StartedAt)).ToList(),
            modelVersions.Select(v => $"{v.Name} v{v.Version}").ToList(),
            consumerSteps.Count > MaxConsumers));
    }

    /// <summary>Every artifact reference among a step's resolved inputs (objects with a 64-hex <c>hash</c>, a <c>name</c> and a <c>size</c>), with the input it is under.</summary>
    private static IEnumerable<(string Input, Engine.Activities.ArtifactRef Reference)> ArtifactsIn(string inputsJson)
    {
        using var document = JsonDocument.Parse(inputsJson);
        var found = new List<(string, Engine.Activities.ArtifactRef)>();
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return found;
        }

        foreach (var input in document.RootElement.EnumerateObject())
        {
            Walk(input.Name, input.Value, found, 0);
        }

        return found;
    }

    private static void Walk(string input, JsonElement value, List<(string, Engine.Activities.ArtifactRef)> found, int depth)
    {
        if (depth > 16)
        {
            return;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                Walk(input, item, found, depth + 1);
            }

            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        string? hash = null, name = null;
        long size = 0;
        foreach (var p in value.EnumerateObject())
        {
            if (p.NameEquals("hash") || p.NameEquals("Hash"))
            {
                hash = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
            }
            else if (p.NameEquals("name") || p.NameEquals("Name"))
            {
                name = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
            }
            else if ((p.NameEquals("size") || p.NameEquals("Size")) && p.Value.TryGetInt64(out var s))
            {
                size = s;
            }
            else
            {
                Walk(input, p.Value, found, depth + 1);
            }
        }

        if (hash is not null && LocalArtifactStore.IsHash(hash))
        {
            found.Add((input, new Engine.Activities.ArtifactRef(hash, name ?? string.Empty, size)));
        }
    }
}
