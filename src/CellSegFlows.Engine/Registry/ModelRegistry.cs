using System.Globalization;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Runtime;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Registry;

/// <summary>A version to register: the model artifact and where it came from.</summary>
/// <param name="Name">The registered model's name (created on its first version).</param>
/// <param name="Artifact">The model file in the artifact store.</param>
public sealed record ModelVersionSpec(string Name, ArtifactRef Artifact)
{
    /// <summary>The run that produced it.</summary>
    public string? RunId { get; init; }

    /// <summary>The step that registers it.</summary>
    public string? StepId { get; init; }

    /// <summary>Training data (JSON object).</summary>
    public string? DataJson { get; init; }

    /// <summary>Scores (JSON object).</summary>
    public string? MetricsJson { get; init; }

    /// <summary>Who or what registers it.</summary>
    public required string By { get; init; }
}

/// <summary>A challenger to decide on: its version, its score and the champion's on the same split.</summary>
/// <param name="Name">The model.</param>
/// <param name="Version">The challenger's version (already registered).</param>
/// <param name="Rule">The gate.</param>
/// <param name="ChallengerScore">The challenger's score.</param>
/// <param name="EvaluatedChampion">The champion version that was evaluated beside it (null: there was none).</param>
/// <param name="ChampionScore">That champion's score (null when there was none).</param>
public sealed record ChallengeSpec(string Name, int Version, PromotionRule Rule, double ChallengerScore, int? EvaluatedChampion, double? ChampionScore)
{
    /// <summary>The run whose gate decides.</summary>
    public string? RunId { get; init; }

    /// <summary>Who or what decides (<c>run:ID</c>).</summary>
    public required string By { get; init; }
}

/// <summary>A model with its versions (newest first) and decisions (newest first).</summary>
public sealed record ModelInfo(RegisteredModelRecord Model, IReadOnlyList<ModelVersionRecord> Versions, IReadOnlyList<ModelDecisionRecord> Decisions);

/// <summary>
/// The model registry in the run store: named models, numbered versions (the artifact, the run and data that
/// produced each, its scores), the current champion and every decision about it. Workers on other machines see
/// the same registry as the server, because it lives where the runs do. Every change is one transaction with its
/// audit entry; the champion changes only by compare-and-set, so two gates deciding at once cannot both win.
/// </summary>
public sealed class ModelRegistry(RunStoreOptions store)
{
    /// <summary>The store it lives in.</summary>
    public RunStoreOptions Store => store;

    /// <summary>Adds a version (the model is created with its first one) and returns it; a step registers one version, however often it runs.</summary>
    /// <exception cref="ModelRegistryException">An invalid name.</exception>
    public async Task<ModelVersionRecord> RegisterAsync(ModelVersionSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        CheckName(spec.Name);
        return await StoreGate.WriteAsync(store, async db =>
        {
            // A step run again after its worker died registers nothing twice: its version is already there.
            if (spec.StepId is not null
                && await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Name == spec.Name && v.StepId == spec.StepId, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                return earlier;
            }

            var now = DateTimeOffset.UtcNow;
            var model = await db.Models.FirstOrDefaultAsync(m => m.Name == spec.Name, cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                model = new RegisteredModelRecord { Name = spec.Name, CreatedAt = now };
                db.Models.Add(model);
            }

            // The version number comes from the model's row, which this transaction also updates: two registrations
            // at once conflict there (PostgreSQL serializable, SQLite one writer) and one of them is run again.
            model.VersionCount++;
            model.UpdatedAt = now;
            var version = new ModelVersionRecord
            {
                Name = spec.Name, Version = model.VersionCount, ArtifactHash = spec.Artifact.Hash, ArtifactName = spec.Artifact.Name, ArtifactSize = spec.Artifact.Size,
                RunId = spec.RunId, StepId = spec.StepId, DataJson = spec.DataJson, MetricsJson = spec.MetricsJson, CreatedBy = spec.By, CreatedAt = now,
            };
            db.ModelVersions.Add(version);
            db.Audit.Add(AuditRecord.Now(spec.By, "model.register", $"{ModelReference.Scheme}{spec.Name}@{version.Version}", $"artifact {spec.Artifact.Hash[..12]} ({spec.Artifact.Name})"));
            return version;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies the gate to a registered challenger and records the decision (once per version: asked again, it returns
    /// the first decision); a promotion makes it the champion. When
    /// the champion changed since it was evaluated (another run promoted meanwhile), the challenger is rejected and the
    /// reason says so: it was not compared with the model it would replace.
    /// </summary>
    public async Task<ModelDecisionRecord> DecideAsync(ChallengeSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return await StoreGate.WriteAsync(store, async db =>
        {
            var model = await db.Models.FirstOrDefaultAsync(m => m.Name == spec.Name, cancellationToken).ConfigureAwait(false)
                ?? throw new ModelRegistryException($"no registered model '{spec.Name}'");
            if (!await db.ModelVersions.AnyAsync(v => v.Name == spec.Name && v.Version == spec.Version, cancellationToken).ConfigureAwait(false))
            {
                throw new ModelRegistryException($"model '{spec.Name}' has no version {spec.Version}");
            }

            // Decided once: a gate step run again after a crash gets the decision it made, not a second one.
            if (await db.ModelDecisions.AsNoTracking().Where(d => d.Name == spec.Name && d.Version == spec.Version && d.Decision != ModelDecision.Manual)
                    .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) is { } made)
            {
                return made;
            }

            var previous = model.ChampionVersion;
            bool promote;
            string reason;
            if (previous != spec.EvaluatedChampion)
            {
                promote = false;
                reason = $"the champion changed while this run evaluated (evaluated {Describe(spec.EvaluatedChampion)}, now {Describe(previous)}); evaluate again against the new champion";
            }
            else
            {
                (promote, reason) = spec.Rule.Decide(spec.ChallengerScore, spec.ChampionScore);
            }

            var decision = new ModelDecisionRecord
            {
                Name = spec.Name, Version = spec.Version, PreviousChampion = previous, Decision = promote ? ModelDecision.Promoted : ModelDecision.Rejected,
                Metric = spec.Rule.Metric, ChallengerScore = Finite(spec.ChallengerScore), ChampionScore = spec.ChampionScore is { } s ? Finite(s) : null, Margin = spec.Rule.Margin,
                Reason = reason, RunId = spec.RunId, By = spec.By, Time = DateTimeOffset.UtcNow,
            };
            db.ModelDecisions.Add(decision);
            if (promote)
            {
                model.ChampionVersion = spec.Version;
                model.UpdatedAt = decision.Time;
            }

            db.Audit.Add(AuditRecord.Now(spec.By, promote ? "model.promote" : "model.reject", $"{ModelReference.Scheme}{spec.Name}@{spec.Version}", reason));
            return decision;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes a version the champion by hand (a promotion or a roll-back), with the reason given.</summary>
    public async Task<ModelDecisionRecord> SetChampionAsync(string name, int version, string by, string reason, CancellationToken cancellationToken = default)
    {
        CheckName(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ModelRegistryException("a reason is required to change a champion by hand");
        }

        return await StoreGate.WriteAsync(store, async db =>
        {
            var model = await db.Models.FirstOrDefaultAsync(m => m.Name == name, cancellationToken).ConfigureAwait(false)
                ?? throw new ModelRegistryException($"no registered model '{name}'");
            if (!await db.ModelVersions.AnyAsync(v => v.Name == name && v.Version == version, cancellationToken).ConfigureAwait(false))
            {
                throw new ModelRegistryException($"model '{name}' has no version {version} (versions 1 to {model.VersionCount})");
            }

            var decision = new ModelDecisionRecord
            {
                Name = name, Version = version, PreviousChampion = model.ChampionVersion, Decision = ModelDecision.Manual, Reason = reason.Trim(), By = by, Time = DateTimeOffset.UtcNow,
            };
            db.ModelDecisions.Add(decision);
            model.ChampionVersion = version;
            model.UpdatedAt = decision.Time;
            db.Audit.Add(AuditRecord.Now(by, "model.set-champion", $"{ModelReference.Scheme}{name}@{version}", $"was {Describe(decision.PreviousChampion)}: {decision.Reason}"));
            return decision;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The version a reference means (the champion when it names no version).</summary>
    /// <exception cref="ModelRegistryException">No such model or version, or no champion yet.</exception>
    public async Task<ModelVersionRecord> ResolveAsync(ModelReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return await TryResolveAsync(reference, cancellationToken).ConfigureAwait(false) ?? throw new ModelRegistryException(await WhyMissingAsync(reference, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The version a reference means, or null when the model, the version or a champion does not exist.</summary>
    public async Task<ModelVersionRecord?> TryResolveAsync(ModelReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        await using var db = store.CreateContext();
        var version = reference.Version
            ?? await db.Models.AsNoTracking().Where(m => m.Name == reference.Name).Select(m => m.ChampionVersion).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return version is null
            ? null
            : await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Name == reference.Name && v.Version == version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every registered model, by name.</summary>
    public async Task<IReadOnlyList<RegisteredModelRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateContext();
        return await db.Models.AsNoTracking().OrderBy(m => m.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A model with its versions and decisions; null when there is none of that name.</summary>
    public async Task<ModelInfo?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateContext();
        var model = await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Name == name, cancellationToken).ConfigureAwait(false);
        if (model is null)
        {
            return null;
        }

        var versions = await db.ModelVersions.AsNoTracking().Where(v => v.Name == name).OrderByDescending(v => v.Version).ToListAsync(cancellationToken).ConfigureAwait(false);
        var decisions = await db.ModelDecisions.AsNoTracking().Where(d => d.Name == name).OrderByDescending(d => d.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ModelInfo(model, versions, decisions);
    }

    /// <summary>The artifact of a version, as activities pass it.</summary>
    public static ArtifactRef ArtifactOf(ModelVersionRecord version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return new ArtifactRef(version.ArtifactHash, version.ArtifactName, version.ArtifactSize);
    }

    /// <summary>The artifact of <paramref name="version"/> (what <paramref name="reference"/> resolved to), checked to be in <paramref name="artifacts"/>.</summary>
    /// <exception cref="ModelRegistryException">The version's model file is not in that store (a registry shared with another artifact store, or a pruned blob).</exception>
    public static ArtifactRef ArtifactIn(ModelReference reference, ModelVersionRecord version, IArtifactStore artifacts)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        var artifact = ArtifactOf(version);
        return artifacts.Contains(artifact.Hash)
            ? artifact
            : throw new ModelRegistryException($"{reference} is version {version.Version}, whose artifact {artifact.Hash[..12]} ({artifact.Name}) is not in this artifact store");
    }

    private async Task<string> WhyMissingAsync(ModelReference reference, CancellationToken ct)
    {
        await using var db = store.CreateContext();
        var model = await db.Models.AsNoTracking().FirstOrDefaultAsync(m => m.Name == reference.Name, ct).ConfigureAwait(false);
        if (model is null)
        {
            var known = await db.Models.AsNoTracking().OrderBy(m => m.Name).Select(m => m.Name).Take(20).ToListAsync(ct).ConfigureAwait(false);
            return $"{reference}: no registered model '{reference.Name}'" + (known.Count > 0 ? $" (registered: {string.Join(", ", known)})" : " (the registry is empty)");
        }

        return reference.Version is { } v
            ? string.Create(CultureInfo.InvariantCulture, $"{reference}: model '{reference.Name}' has no version {v} (versions 1 to {model.VersionCount})")
            : $"{reference}: model '{reference.Name}' has no champion yet ({model.VersionCount} version(s) registered, none promoted)";
    }

    private static void CheckName(string name)
    {
        if (!ModelReference.IsValidName(name))
        {
            throw new ModelRegistryException($"'{name}' is not a valid model name: letters, digits, '_', '-' and '.', starting with a letter or digit, at most {ModelReference.MaxNameLength} characters");
        }
    }

    private static string Describe(int? version) => version is { } v ? string.Create(CultureInfo.InvariantCulture, $"version {v}") : "no champion";

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
