namespace CellSeg.Data.Download;

/// <summary>
/// An exclusive lock between processes: a file held open without sharing and deleted on close. Used so
/// that runs sharing a data cache take turns on the same download or extraction instead of racing.
/// </summary>
internal static class FileLock
{
    /// <summary>Waits until the lock file can be held, then returns it (dispose to release).</summary>
    public static async Task<FileStream> AcquireAsync(string path, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process holds it; it finishes the work, which this caller then finds done.
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
            }
        }
    }
}
