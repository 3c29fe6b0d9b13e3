namespace CellSeg.Data.Tests;

/// <summary>
/// Where the shared, read-only test data lives: <c>../shared</c> next to the repository, found by
/// walking up from the test binaries to the folder that holds <c>CellSegFlows.sln</c>.
/// </summary>
public static class TestData
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The repository root (the folder with CellSegFlows.sln).</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The shared folder beside the repository.</summary>
    public static string SharedDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>The real LIVECell sample (read-only; never copy it into the repository).</summary>
    public static string LivecellSample => Path.Combine(SharedDir, "data", "livecell-sample");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CellSegFlows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds CellSegFlows.sln");
    }
}
