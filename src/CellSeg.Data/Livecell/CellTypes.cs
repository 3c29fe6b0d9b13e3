using System.Diagnostics.CodeAnalysis;

namespace CellSeg.Data.Livecell;

/// <summary>
/// The eight LIVECell cell lines, spelled exactly as the dataset's file names spell them
/// (mixed case included: <c>SkBr3</c> but <c>SKOV3</c>, <c>Huh7</c> but <c>SHSY5Y</c>).
/// </summary>
public static class CellTypes
{
    /// <summary>Human glioblastoma.</summary>
    public const string A172 = "A172";

    /// <summary>Human breast ductal carcinoma.</summary>
    public const string BT474 = "BT474";

    /// <summary>Mouse microglia.</summary>
    public const string BV2 = "BV2";

    /// <summary>Human hepatocellular carcinoma.</summary>
    public const string Huh7 = "Huh7";

    /// <summary>Human breast adenocarcinoma.</summary>
    public const string MCF7 = "MCF7";

    /// <summary>Human neuroblastoma.</summary>
    public const string SHSY5Y = "SHSY5Y";

    /// <summary>Human breast adenocarcinoma (HER2+).</summary>
    public const string SkBr3 = "SkBr3";

    /// <summary>Human ovarian adenocarcinoma.</summary>
    public const string SKOV3 = "SKOV3";

    /// <summary>All eight, in case-insensitive alphabetical order.</summary>
    public static IReadOnlyList<string> All { get; } = [A172, BT474, BV2, Huh7, MCF7, SHSY5Y, SkBr3, SKOV3];

    /// <summary>Whether <paramref name="name"/> is one of the eight, spelled exactly (case-sensitive).</summary>
    public static bool IsKnown(string? name) => name is not null && All.Contains(name, StringComparer.Ordinal);

    /// <summary>
    /// The cell type a LIVECell image file name starts with: the text before the first underscore of
    /// <c>&lt;CellType&gt;_Phase_&lt;Well&gt;_&lt;Location&gt;_&lt;Timestamp&gt;_&lt;Crop&gt;.tif</c>.
    /// A folder part of the path is ignored.
    /// </summary>
    /// <exception cref="DataFormatException">The prefix is not one of the eight cell types (spelling is case-sensitive).</exception>
    public static string FromFileName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return TryFromFileName(fileName, out var cellType)
            ? cellType
            : throw new DataFormatException(fileName, null, $"file name does not start with a LIVECell cell type ({string.Join(", ", All)}) followed by '_'");
    }

    /// <summary>As <see cref="FromFileName"/>, but returns false (and null) for an unknown prefix instead of throwing.</summary>
    public static bool TryFromFileName(string? fileName, [NotNullWhen(true)] out string? cellType)
    {
        cellType = null;
        if (string.IsNullOrEmpty(fileName))
        {
            return false;
        }

        var name = Path.GetFileName(fileName);
        var underscore = name.IndexOf('_', StringComparison.Ordinal);
        if (underscore <= 0)
        {
            return false;
        }

        var prefix = name[..underscore];
        foreach (var known in All)
        {
            if (string.Equals(known, prefix, StringComparison.Ordinal))
            {
                cellType = known;
                return true;
            }
        }

        return false;
    }
}
