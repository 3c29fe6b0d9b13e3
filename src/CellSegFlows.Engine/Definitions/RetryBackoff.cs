namespace CellSegFlows.Engine.Definitions;

/// <summary>How the wait between retries grows.</summary>
public enum RetryBackoff
{
    /// <summary>Every wait is the policy's delay (<c>"fixed"</c>).</summary>
    Fixed,

    /// <summary>The wait doubles after each failed attempt, up to the policy's max delay (<c>"exponential"</c>).</summary>
    Exponential,
}
