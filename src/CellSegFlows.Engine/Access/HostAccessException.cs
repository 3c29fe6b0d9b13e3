namespace CellSegFlows.Engine.Access;

/// <summary>
/// A path or source that a workflow may not use (outside the data roots, an escape through <c>..</c> or a symbolic
/// link, an origin an admin did not allow). A user error: the step fails at once, without retries, with one line.
/// </summary>
public sealed class HostAccessException : Exception
{
    /// <summary>A refusal of <paramref name="input"/>'s value for <paramref name="reason"/>.</summary>
    public HostAccessException(string? input, string reason)
        : base(input is null ? reason : $"input '{input}': {reason}")
    {
        Input = input;
        Reason = reason;
    }

    /// <summary>The activity input whose value was refused, when known.</summary>
    public string? Input { get; }

    /// <summary>Which rule refused it.</summary>
    public string Reason { get; }
}
