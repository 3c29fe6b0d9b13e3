namespace CellSegFlows.Engine.Store;

/// <summary>
/// A named model in the registry (e.g. <c>unet-livecell</c>): a line of versions, one of which may be the
/// champion — the version that <c>model://NAME</c> means and that new challengers must beat.
/// </summary>
public sealed class RegisteredModelRecord
{
    /// <summary>The model's name (letters, digits, <c>_</c>, <c>-</c>, <c>.</c>).</summary>
    public required string Name { get; set; }

    /// <summary>What the model is for, for people.</summary>
    public string? Description { get; set; }

    /// <summary>The champion's version number; null before the first promotion.</summary>
    public int? ChampionVersion { get; set; }

    /// <summary>Versions registered so far (the next version number is this plus one).</summary>
    public int VersionCount { get; set; }

    /// <summary>When the first version was registered.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When a version was added or the champion changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One version of a registered model: the artifact, and where it came from.</summary>
public sealed class ModelVersionRecord
{
    /// <summary>The model's name.</summary>
    public required string Name { get; set; }

    /// <summary>Version number, from 1.</summary>
    public int Version { get; set; }

    /// <summary>The model file in the artifact store (its SHA-256).</summary>
    public required string ArtifactHash { get; set; }

    /// <summary>The artifact's file name.</summary>
    public required string ArtifactName { get; set; }

    /// <summary>The artifact's size in bytes.</summary>
    public long ArtifactSize { get; set; }

    /// <summary>The run that registered it (null when registered by hand).</summary>
    public string? RunId { get; set; }

    /// <summary>The step that registered it.</summary>
    public string? StepId { get; set; }

    /// <summary>The data it was trained on (JSON object: artifacts and the trigger's detail, e.g. the annotation file that landed).</summary>
    public string? DataJson { get; set; }

    /// <summary>Scores measured when it was registered (JSON object: metric name → value), with the evaluation split's artifact.</summary>
    public string? MetricsJson { get; set; }

    /// <summary>Who or what registered it: <c>run:ID</c>, or a user.</summary>
    public string? CreatedBy { get; set; }

    /// <summary>When it was registered.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One decision about a model's champion: a promotion, a rejected challenger, or a manual change. Never updated.</summary>
public sealed class ModelDecisionRecord
{
    /// <summary>Sequence number.</summary>
    public long Id { get; set; }

    /// <summary>The model's name.</summary>
    public required string Name { get; set; }

    /// <summary>The version decided on (the challenger, or the version set by hand).</summary>
    public int Version { get; set; }

    /// <summary>The champion before the decision (null: none).</summary>
    public int? PreviousChampion { get; set; }

    /// <summary>What was decided.</summary>
    public ModelDecision Decision { get; set; }

    /// <summary>The metric compared (e.g. <c>F1</c>, <c>AP/MCF7</c>), when a rule decided.</summary>
    public string? Metric { get; set; }

    /// <summary>The challenger's score on it.</summary>
    public double? ChallengerScore { get; set; }

    /// <summary>The champion's score on the same split (null: no champion).</summary>
    public double? ChampionScore { get; set; }

    /// <summary>The margin the challenger had to win by.</summary>
    public double? Margin { get; set; }

    /// <summary>Why, in words.</summary>
    public required string Reason { get; set; }

    /// <summary>The run whose gate decided, if any.</summary>
    public string? RunId { get; set; }

    /// <summary>Who or what decided: <c>run:ID</c>, <c>cli:USER</c> or a server user.</summary>
    public required string By { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset Time { get; set; }
}

/// <summary>What a <see cref="ModelDecisionRecord"/> decided.</summary>
public enum ModelDecision
{
    /// <summary>A challenger beat the champion by the margin (or there was no champion) and became the champion.</summary>
    Promoted,

    /// <summary>A challenger did not beat the champion by the margin; the champion stays.</summary>
    Rejected,

    /// <summary>A person set the champion by hand (promote or roll back).</summary>
    Manual,
}
