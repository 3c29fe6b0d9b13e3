namespace CellSegFlows.Engine.Triggers;

/// <summary>
/// The file patterns a watch takes: a file-name pattern with <c>*</c> and <c>?</c> (<c>*.json</c>,
/// <c>img_??.tif</c>), matched in the watched folder; with <c>**/</c> in front, in its sub-folders too.
/// Hidden files (names starting with a dot) are never taken, so editors' and copiers' temporary files are not.
/// </summary>
internal static class FileGlob
{
    private const string Recursive = "**/";

    /// <summary>Null when the pattern is usable, else why not.</summary>
    public static string? Problem(string? glob)
    {
        if (string.IsNullOrWhiteSpace(glob))
        {
            return "a file-name pattern is required, e.g. *.json";
        }

        var name = glob.StartsWith(Recursive, StringComparison.Ordinal) ? glob[Recursive.Length..] : glob;
        return name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.Contains("**", StringComparison.Ordinal)
            ? $"'{glob}' is not a file-name pattern: use * and ? in a file name (*.json), with **/ in front to look in sub-folders"
            : null;
    }

    /// <summary>Matching files as (path relative to the folder with '/' separators, full path), in ordinal order of the relative path.</summary>
    public static IEnumerable<(string Relative, string Full)> Enumerate(string folder, string glob)
    {
        var recursive = glob.StartsWith(Recursive, StringComparison.Ordinal);
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = recursive,
            IgnoreInaccessible = true,
            MatchType = MatchType.Simple,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.Directory,
        };
        return Directory.EnumerateFiles(folder, recursive ? glob[Recursive.Length..] : glob, options)
            .Select(full => (Relative: Path.GetRelativePath(folder, full).Replace('\\', '/'), Full: full))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
    }
}
