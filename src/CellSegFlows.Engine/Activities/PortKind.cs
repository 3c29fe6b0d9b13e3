namespace CellSegFlows.Engine.Activities;

/// <summary>
/// What a string input names outside the workflow, so the engine can check it against what an admin allows
/// (<see cref="Access.HostAccess"/>) before the step runs, instead of each activity remembering to.
/// </summary>
public enum PortKind
{
    /// <summary>A plain value.</summary>
    Value,

    /// <summary>A file on the host that the step reads.</summary>
    FileToRead,

    /// <summary>A folder on the host that the step reads.</summary>
    FolderToRead,

    /// <summary>A folder on the host that the step writes into (created when missing).</summary>
    FolderToWrite,

    /// <summary>Where data is fetched from: an http(s) URL, a <c>file://</c> URL or a local folder.</summary>
    Source,
}
