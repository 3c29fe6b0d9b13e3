namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// How large a workflow may be, checked before anything runs: a definition is data written by an editor, and a
/// 60,000-node definition or a map over 100,000 items would otherwise be accepted and then hold the engine.
/// </summary>
public sealed record WorkflowLimits
{
    /// <summary>Nodes in one definition (default 500; the paper's whole experiment is about 40).</summary>
    public int MaxNodes { get; init; } = 500;

    /// <summary>Elements of one mapped node (default 10,000): each is a step with its own journal.</summary>
    public int MaxMapElements { get; init; } = 10_000;

    /// <summary>The defaults.</summary>
    public static WorkflowLimits Default { get; } = new();
}
