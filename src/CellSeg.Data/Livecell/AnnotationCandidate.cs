using System.Diagnostics.CodeAnalysis;

namespace CellSeg.Data.Livecell;

/// <summary>One place a file may be: an exact path, or a file name anywhere below a folder.</summary>
internal sealed record AnnotationCandidate(string Path, string? FileName)
{
    public static AnnotationCandidate Exact(string path) => new(path, null);

    public static AnnotationCandidate Anywhere(string folder, string fileName) => new(folder, fileName);

    public string Describe() => FileName is null
        ? Path
        : $"{FileName} anywhere under {Path}{System.IO.Path.DirectorySeparatorChar}";

    public bool TryFind([NotNullWhen(true)] out string? found)
    {
        found = null;
        if (FileName is null)
        {
            if (File.Exists(Path))
            {
                found = Path;
            }

            return found is not null;
        }

        if (!Directory.Exists(Path))
        {
            return false;
        }

        var matches = Directory.EnumerateFiles(Path, FileName, new EnumerationOptions
        {
            RecurseSubdirectories = true,
            MatchCasing = MatchCasing.CaseSensitive,
            IgnoreInaccessible = true,
        }).Order(StringComparer.Ordinal).ToList();
        if (matches.Count > 1)
        {
            throw new DataFormatException(Path, null, $"{matches.Count} files named {FileName} lie under this folder ({string.Join(", ", matches)}); keep one");
        }

        found = matches.FirstOrDefault();
        return found is not null;
    }
}
