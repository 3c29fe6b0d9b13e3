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

    private static readonly string TempRoot = Path.Combine(Path.GetTempPath(), "cellsegflows-tests");

    // Test folders are kept after a run for inspection, but the suite makes gigabytes of them (models, artifacts):
    // once per test process, folders older than a day go, so repeated runs on one machine do not fill its disk.
    private static readonly Lazy<bool> OldFoldersRemoved = new(() =>
    {
        if (Directory.Exists(TempRoot))
        {
            foreach (var old in new DirectoryInfo(TempRoot).EnumerateDirectories().Where(d => d.LastWriteTimeUtc < DateTime.UtcNow.AddDays(-1)))
            {
                try
                {
                    old.Delete(recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Another process's folder, or one in use: left for a later run.
                }
            }
        }

        return true;
    });

    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string NewTempFolder()
    {
        _ = OldFoldersRemoved.Value;
        var path = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));
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
