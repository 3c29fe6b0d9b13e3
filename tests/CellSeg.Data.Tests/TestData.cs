namespace CellSeg.Data.Tests;

/// <summary>Short names for the shared data used by this project's tests (paths come from <see cref="TestPaths"/>).</summary>
public static class TestData
{
    /// <summary>The repository root (the folder with CellSegFlows.sln).</summary>
    public static string RepoRoot => TestPaths.RepoRoot;

    /// <summary>The shared folder beside the repository.</summary>
    public static string SharedDir => TestPaths.Shared;

    /// <summary>The real LIVECell sample (read-only; never copy it into the repository).</summary>
    public static string LivecellSample => TestPaths.LivecellSample;
}
