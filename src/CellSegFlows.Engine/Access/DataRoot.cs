namespace CellSegFlows.Engine.Access;

/// <summary>A folder of the host that steps may use: read only, or read and write.</summary>
/// <param name="Path">The folder (made absolute; symbolic links in it are resolved when paths are checked).</param>
/// <param name="Writable">Whether steps may write beneath it.</param>
/// <param name="Label">How errors name it (e.g. "the engine's data folder").</param>
public sealed record DataRoot(string Path, bool Writable, string Label);
