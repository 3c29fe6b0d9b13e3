namespace CellSegFlows.Engine.Activities;

/// <summary>Marks a class as a workflow activity and gives the metadata the registry, the validator and the studio use.</summary>
/// <param name="type">The name definitions use in a node's <c>activity</c> field.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ActivityAttribute(string type) : Attribute
{
    /// <summary>The name definitions use.</summary>
    public string Type { get; } = type;

    /// <summary>Bump when behaviour changes, so cached results of the old version are not reused.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Palette group in the studio.</summary>
    public string Category { get; init; } = "General";

    /// <summary>What the activity does.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Queue used when a node does not name one: <c>cpu</c> (default) or <c>gpu</c>.</summary>
    public string Queue { get; init; } = Definitions.QueueNames.Cpu;

    /// <summary>
    /// False when a step's result depends on more than its inputs (it reads the model registry's champion or records a
    /// decision there): such steps never answer from the step cache.
    /// </summary>
    public bool Cacheable { get; init; } = true;

    /// <summary>
    /// True when steps of this activity may run beside other sharing steps on one GPU (small inference, say); false
    /// (default): a gpu-queue step holds its device alone. Only matters when a worker has more gpu slots than devices.
    /// </summary>
    public bool SharesDevice { get; init; }

    /// <summary>
    /// The name (as definitions write it) of a <c>json</c> input whose fields override the node's other inputs, e.g. a
    /// training grid's <c>branch</c>: one mapped node then runs one grid entry per map element. The engine merges the
    /// object into the inputs before the step runs (before the host-path checks and the cache key) and refuses a field
    /// that is not an overridable input (any input but artifacts, lists of artifacts and <c>json</c> ones) or whose
    /// value has the wrong type. Null: no such input.
    /// </summary>
    public string? OverridesInput { get; init; }
}

/// <summary>Documents one input or output property of an activity.</summary>
/// <param name="description">What the value is, for people (shown in the studio's forms).</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PortAttribute(string description) : Attribute
{
    /// <summary>What the value is.</summary>
    public string Description { get; } = description;

    /// <summary>
    /// What the value names on the host (a file, a folder, a download source), when it is not a plain value: the
    /// engine resolves and checks such inputs against the data roots and allowed origins before the step runs.
    /// </summary>
    public PortKind Kind { get; init; } = PortKind.Value;

    /// <summary>For a relative path: the input (a folder) it is relative to, instead of the default base folder.</summary>
    public string? RelativeTo { get; init; }

    /// <summary>
    /// Names this port had before a rename (camelCase, as definitions wrote them). A definition that still uses one is
    /// upgraded when it is read, with a deprecation warning naming the node and the new name; kept for one version.
    /// </summary>
    public string[]? FormerNames { get; init; }
}
