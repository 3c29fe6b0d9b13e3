namespace CellSeg.Data.Download;

/// <summary>
/// How hard <see cref="FileDownloader"/> tries. Defaults suit a public bucket over an ordinary line:
/// a few retries with growing, jittered waits, a bounded wait for response headers, a bounded silence
/// while the body streams, and a circuit breaker that stops hammering a host that keeps failing.
/// </summary>
public sealed record FileDownloaderOptions
{
    /// <summary>Retries after the first attempt of one file (transient faults only: 5xx, 408, 429, dropped connections, timeouts).</summary>
    public int MaxRetryAttempts { get; init; } = 6;

    /// <summary>Wait before the first retry; later waits grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two attempts.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Per-attempt limit on getting the response headers (a Polly timeout). The body is not bounded in
    /// total, since a large archive may take long on a slow line; see <see cref="StallTimeout"/>.
    /// </summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest time the body may deliver no byte before the attempt is abandoned (and resumed by the next).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of failed attempts within <see cref="BreakerSamplingDuration"/> that opens the circuit.</summary>
    public double BreakerFailureRatio { get; init; } = 1.0;

    /// <summary>Attempts within the sampling window before the breaker may open; more than one file's retries, so it opens only on a host that keeps failing.</summary>
    public int BreakerMinimumThroughput { get; init; } = 10;

    /// <summary>Window over which the breaker counts attempts.</summary>
    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long an open circuit refuses attempts (each refusal is an immediate error).</summary>
    public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Free bytes on the volume of a folder (checked before a body is written); default <see cref="DriveInfo.AvailableFreeSpace"/>. Tests inject a probe.</summary>
    public Func<string, long>? FreeSpaceProbe { get; init; }

    /// <summary>Bytes between two progress reports.</summary>
    public long ProgressStepBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Which sources may be read (checked before each request and redirect, and at each connection); null: any. With a
    /// policy the downloader follows redirects itself, only within the first URL's origin (at most 5).
    /// </summary>
    public IDownloadSourcePolicy? SourcePolicy { get; init; }
}
