namespace CellSeg.Data;

/// <summary>
/// Bad input: a file, or one record in it, that cannot be used. The message names the file, the
/// record and the reason, so a command-line user can fix the input without a stack trace.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="filePath">The file that holds the bad data.</param>
    /// <param name="record">The record, e.g. "annotation 117084" or "byte 1200 (line 3)"; null when the whole file is bad.</param>
    /// <param name="reason">What is wrong, in words a user can act on.</param>
    /// <param name="inner">The low-level cause, if any.</param>
    public DataFormatException(string filePath, string? record, string reason, Exception? inner = null)
        : base(Format(filePath, record, reason), inner)
    {
        FilePath = filePath;
        Record = record;
        Reason = reason;
    }

    /// <summary>The file that holds the bad data.</summary>
    public string FilePath { get; }

    /// <summary>The record within the file, or null when the whole file is bad.</summary>
    public string? Record { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }

    private static string Format(string filePath, string? record, string reason) =>
        record is null ? $"{filePath}: {reason}" : $"{filePath}: {record}: {reason}";
}
