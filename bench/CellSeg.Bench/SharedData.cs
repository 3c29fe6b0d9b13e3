namespace CellSeg.Bench;

/// <summary>
/// The real LIVECell sample and the pycocotools references in the shared folder beside the checkout
/// (read-only; the benchmarks read them and write only to the work folder).
/// </summary>
internal sealed class SharedData
{
    private SharedData(string root) => Root = root;

    public string Root { get; }

    public string TestAnnotations => Path.Combine(Root, "data", "livecell-sample", "annotations", "livecell_coco_test.json");

    public string ValAnnotations => Path.Combine(Root, "data", "livecell-sample", "annotations", "livecell_coco_val.json");

    /// <summary>Segm results for the test file: cells dropped, jittered, shifted, plus false positives.</summary>
    public string NoisyPredictions => Path.Combine(Root, "reference", "pred_noisy.json");

    /// <summary>pycocotools' COCOeval numbers for <see cref="NoisyPredictions"/>.</summary>
    public string NoisyReference => Path.Combine(Root, "reference", "ref_noisy.json");

    public static SharedData Locate(string? explicitRoot)
    {
        var root = explicitRoot ?? Path.Combine(RepoRoot.Find(), "..", "shared");
        var data = new SharedData(Path.GetFullPath(root));
        foreach (var required in (string[])[data.TestAnnotations, data.ValAnnotations, data.NoisyPredictions])
        {
            if (!System.IO.File.Exists(required))
            {
                throw new BenchException($"{required} not found; give the shared data folder with --shared DIR");
            }
        }

        return data;
    }
}

/// <summary>The checkout that holds CellSegFlows.sln (for the shared folder beside it and the anchor scripts).</summary>
internal static class RepoRoot
{
    public static string Find()
    {
        foreach (var start in (string[])[AppContext.BaseDirectory, Environment.CurrentDirectory])
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CellSegFlows.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new BenchException("CellSegFlows.sln not found above the program or the current folder; give --shared DIR");
    }
}
