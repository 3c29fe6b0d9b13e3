using CellSeg.Data.Download;
using CellSegFlows.Engine.Access;

namespace CellSegFlows.Activities;

/// <summary>
/// What steps may reach on a server or worker: the engine's data folder (<c>HOME/data</c>, the base of relative paths),
/// the shared LIVECell download cache, the roots an admin adds; downloads from LIVECell's official bucket and the
/// origins an admin adds. Each step's own work folder is added by the engine.
/// </summary>
public static class ServerHostAccess
{
    /// <summary>The engine's data folder under <paramref name="home"/> (created).</summary>
    public static string DataFolder(string home) => Path.Combine(Path.GetFullPath(home), "data");

    /// <summary>The restricted policy for an engine at <paramref name="home"/>.</summary>
    public static HostAccess Create(string home, IEnumerable<DataRoot>? adminRoots = null, IEnumerable<Uri>? adminOrigins = null)
    {
        var data = DataFolder(home);
        Directory.CreateDirectory(data);
        var cache = LivecellDownload.DefaultDestination();
        Directory.CreateDirectory(cache);
        var official = LivecellDownload.LoadBuiltInManifest().BaseUrl;
        return HostAccess.Restricted(
            [new DataRoot(data, Writable: true, "the engine's data folder"), new DataRoot(cache, Writable: true, "the shared download cache"), .. adminRoots ?? []],
            [official],
            adminOrigins ?? []);
    }
}
