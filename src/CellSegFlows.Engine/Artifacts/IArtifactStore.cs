using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Artifacts;

/// <summary>
/// A content-addressed store of files: the same bytes are stored once, under their SHA-256.
/// Several workers may share one root (e.g. a network folder).
/// </summary>
public interface IArtifactStore
{
    /// <summary>Copies a file in (hashing while copying) and returns its reference.</summary>
    Task<ArtifactRef> PutFileAsync(string path, string? name = null, CancellationToken cancellationToken = default);

    /// <summary>Stores bytes under a name.</summary>
    Task<ArtifactRef> PutBytesAsync(ReadOnlyMemory<byte> content, string name, CancellationToken cancellationToken = default);

    /// <summary>The path of the stored file (read-only: never write to it).</summary>
    /// <exception cref="FileNotFoundException">The store does not hold that hash.</exception>
    string GetPath(ArtifactRef artifact);

    /// <summary>Whether the store holds this hash.</summary>
    bool Contains(string hash);
}
