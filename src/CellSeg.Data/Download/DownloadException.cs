namespace CellSeg.Data.Download;

/// <summary>
/// A download or extraction that cannot succeed as things stand: the message names the source (URL,
/// manifest or archive), the item (file, manifest entry or archive entry) and the reason, so a user
/// can act on it without a stack trace. Transient faults that were retried end here too, once the
/// retries are spent or the circuit breaker has opened.
/// </summary>
public sealed class DownloadException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="resource">The URL, manifest file or archive concerned.</param>
    /// <param name="item">The local file, manifest entry or archive entry; null when the whole source is concerned.</param>
    /// <param name="reason">What is wrong, in words a user can act on.</param>
    /// <param name="inner">The low-level cause, if any.</param>
    public DownloadException(string resource, string? item, string reason, Exception? inner = null)
        : base(item is null ? $"{resource}: {reason}" : $"{resource}: {item}: {reason}", inner)
    {
        Resource = resource;
        Item = item;
        Reason = reason;
    }

    /// <summary>The URL, manifest file or archive concerned.</summary>
    public string Resource { get; }

    /// <summary>The local file, manifest entry or archive entry, or null.</summary>
    public string? Item { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }
}
