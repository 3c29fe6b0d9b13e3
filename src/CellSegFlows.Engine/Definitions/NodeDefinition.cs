namespace CellSegFlows.Engine.Definitions;

/// <summary>One step of a workflow: which activity runs, what it is given and how it is scheduled.</summary>
/// <param name="Id">Unique within the workflow (letters, digits, <c>_</c> and <c>-</c>); other nodes and the
/// workflow's outputs refer to it as <c>${nodes.ID.OUTPUT}</c>.</param>
/// <param name="Activity">The activity type, as registered in the catalog.</param>
/// <param name="Inputs">Values for the activity's inputs, by input name, in definition order.</param>
/// <param name="Map">When set, the node runs once per element of a list (fan-out); null for a single run.</param>
/// <param name="Retry">How failed attempts are retried; null for no retry.</param>
/// <param name="Timeout">The longest one attempt may run; null for no limit.</param>
/// <param name="Queue"><c>cpu</c>, <c>gpu</c>, or null for the activity's default queue.</param>
/// <param name="Cache">Whether a step with the same activity version and inputs may reuse an earlier result.</param>
public sealed record NodeDefinition(
    string Id,
    string Activity,
    IReadOnlyDictionary<string, InputValue> Inputs,
    MapDefinition? Map = null,
    RetryPolicy? Retry = null,
    TimeSpan? Timeout = null,
    string? Queue = null,
    bool Cache = true);
