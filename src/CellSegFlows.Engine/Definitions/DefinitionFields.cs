namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// Every JSON property name the reader accepts, per object, and the fixed word lists. The schema test
/// checks workflow.schema.json against these lists, so the reader and the schema cannot drift apart.
/// </summary>
internal static class DefinitionFields
{
    public static IReadOnlyList<string> Workflow { get; } = ["$schema", "id", "version", "description", "parameters", "nodes", "outputs", "layout"];

    public static IReadOnlyList<string> Layout { get; } = ["nodes"];

    public static IReadOnlyList<string> Position { get; } = ["x", "y"];

    public static IReadOnlyList<string> Parameter { get; } = ["type", "default", "description", "formerNames"];

    public static IReadOnlyList<string> Node { get; } = ["id", "activity", "inputs", "map", "retry", "timeout", "queue", "cache"];

    public static IReadOnlyList<string> Map { get; } = ["over", "as"];

    public static IReadOnlyList<string> Retry { get; } = ["attempts", "backoff", "delay", "maxDelay"];

    public static IReadOnlyList<string> Queues => QueueNames.All;

    public static IReadOnlyList<string> Backoffs { get; } = ["fixed", "exponential"];

    public static string BackoffName(RetryBackoff backoff) => backoff == RetryBackoff.Exponential ? "exponential" : "fixed";
}
