namespace CellSegFlows.Engine.Activities;

/// <summary>
/// A file in the artifact store, named by the SHA-256 of its content. Activities pass artifacts to
/// each other as these references; the bytes stay in the store.
/// </summary>
/// <param name="Hash">Lowercase hex SHA-256 of the content.</param>
/// <param name="Name">The file name it was stored under (kept for people and for extensions).</param>
/// <param name="Size">Size in bytes.</param>
public sealed record ArtifactRef(string Hash, string Name, long Size);
