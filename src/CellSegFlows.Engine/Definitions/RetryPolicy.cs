namespace CellSegFlows.Engine.Definitions;

/// <summary>How a node's failed attempts are retried.</summary>
/// <param name="Attempts">Attempts in all, the first one included (1 means no retry); at least 1.</param>
/// <param name="Backoff">How the wait between attempts grows.</param>
/// <param name="Delay">The wait before the first retry.</param>
/// <param name="MaxDelay">Exponential backoff only: the longest wait; null for no cap.</param>
public sealed record RetryPolicy(int Attempts, RetryBackoff Backoff, TimeSpan Delay, TimeSpan? MaxDelay = null)
{
    // Defaults in one place; they are Polly's own (constant backoff, 2 s), the library that runs retries.

    /// <summary>The backoff when <c>backoff</c> is not written.</summary>
    public const RetryBackoff DefaultBackoff = RetryBackoff.Fixed;

    /// <summary>The delay when <c>delay</c> is not written.</summary>
    public static TimeSpan DefaultDelay { get; } = TimeSpan.FromSeconds(2);
}
