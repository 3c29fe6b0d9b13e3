namespace CellSeg.Data.Download;

/// <summary>Defaults for fetching LIVECell: the built-in manifest and the shared cache folder.</summary>
public static class LivecellDownload
{
    /// <summary>Where the built-in manifest comes from (its copy in the repository).</summary>
    public const string ManifestRepositoryPath = "workflows/data/livecell-manifest.json";

    /// <summary>Environment variable naming the data cache folder.</summary>
    public const string DataFolderVariable = "CELLSEGFLOWS_DATA";

    /// <summary>What a workflow fetches when it names nothing: the LIVECell-wide test annotations and the images.</summary>
    public static IReadOnlyList<string> DefaultSelection { get; } = ["livecell-wide:test", "images"];

    /// <summary>The LIVECell manifest built into this library (the same file as <see cref="ManifestRepositoryPath"/>).</summary>
    public static DownloadManifest LoadBuiltInManifest()
    {
        using var stream = typeof(LivecellDownload).Assembly.GetManifestResourceStream("CellSeg.Data.Download.livecell-manifest.json")
            ?? throw new InvalidOperationException("the built-in LIVECell manifest is missing from CellSeg.Data");
        using var reader = new StreamReader(stream);
        return DownloadManifest.Parse(reader.ReadToEnd(), ManifestRepositoryPath + " (built in)");
    }

    /// <summary>
    /// The shared cache folder for LIVECell, so that runs share one 1.3 GB copy rather than each
    /// fetching its own: <c>$CELLSEGFLOWS_DATA/livecell</c> when the variable is set, else
    /// <c>&lt;local application data&gt;/cellsegflows/data/livecell</c> (<c>~/.local/share/…</c> on Linux).
    /// </summary>
    public static string DefaultDestination()
    {
        var root = Environment.GetEnvironmentVariable(DataFolderVariable);
        if (string.IsNullOrWhiteSpace(root))
        {
            var appData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            root = Path.Combine(string.IsNullOrEmpty(appData) ? Path.GetTempPath() : appData, "cellsegflows", "data");
        }

        return Path.Combine(Path.GetFullPath(root), "livecell");
    }
}
