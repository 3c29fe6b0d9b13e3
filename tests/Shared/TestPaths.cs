namespace CellSegFlows.Testing;

/// <summary>Where the repository and the read-only shared data (LIVECell sample, pycocotools references) are.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The folder holding CellSegFlows.sln.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The shared folder beside the checkout (never copied into the repository).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>Real LIVECell images and annotations.</summary>
    public static string LivecellSample => Path.Combine(Shared, "data", "livecell-sample");

    /// <summary>pycocotools results to match.</summary>
    public static string Reference => Path.Combine(Shared, "reference");

    public static string TestAnnotations => Path.Combine(LivecellSample, "annotations", "livecell_coco_test.json");

    public static string ValAnnotations => Path.Combine(LivecellSample, "annotations", "livecell_coco_val.json");

    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string NewTempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "cellsegflows-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CellSegFlows.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("CellSegFlows.sln not found above " + AppContext.BaseDirectory);
    }
}
