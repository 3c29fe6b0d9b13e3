namespace CellSeg.Data;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler at once on the reporting thread.
/// <see cref="Progress{T}"/> posts to the thread pool instead, which reorders reports and can deliver
/// them after the work has finished.
/// </summary>
public sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => handler(value);
}
