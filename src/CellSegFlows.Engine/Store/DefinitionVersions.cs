using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Store;

/// <summary>
/// The stored versions of a workflow definition (table <c>definitions</c>), looked up the one way every caller
/// means: the latest is the one saved last (the higher version label on a tie), and a version is named by its
/// content hash or a unique prefix of it (at least 6 lowercase hex digits) within that workflow. Only published
/// versions count: a draft's content stored for a run of the draft (<see cref="DefinitionVersionRecord.Draft"/>) is
/// never the latest, and cannot be pinned or exported by hash.
/// </summary>
public static class DefinitionVersions
{
    /// <summary>The shortest hash prefix accepted as a version.</summary>
    public const int MinPrefix = 6;

    /// <summary>Whether <paramref name="hash"/> can name a version: 6 to 64 lowercase hex digits.</summary>
    public static bool IsHashOrPrefix(string? hash) =>
        hash is { Length: >= MinPrefix and <= 64 } && hash.All(char.IsAsciiHexDigitLower);

    /// <summary>Every version of a workflow, newest first (empty when there is none).</summary>
    public static async Task<IReadOnlyList<DefinitionVersionRecord>> AllAsync(RunDbContext db, string workflowId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        // SQLite stores times as ticks through a converter: order them here, not in SQL.
        var records = await db.Definitions.AsNoTracking().Where(d => d.WorkflowId == workflowId && !d.Draft).ToListAsync(cancellationToken).ConfigureAwait(false);
        return records.OrderByDescending(d => d.SavedAt).ThenByDescending(d => d.VersionLabel).ToList();
    }

    /// <summary>The latest version of a workflow, or null when none is stored.</summary>
    public static async Task<DefinitionVersionRecord?> LatestAsync(RunDbContext db, string workflowId, CancellationToken cancellationToken = default) =>
        (await AllAsync(db, workflowId, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The version of <paramref name="workflowId"/> with this hash (or unique prefix), or null.</summary>
    public static async Task<DefinitionVersionRecord?> FindAsync(RunDbContext db, string workflowId, string hashOrPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!IsHashOrPrefix(hashOrPrefix))
        {
            return null;
        }

        var found = await db.Definitions.AsNoTracking().Where(d => d.WorkflowId == workflowId && !d.Draft && d.Hash.StartsWith(hashOrPrefix)).Take(2).ToListAsync(cancellationToken).ConfigureAwait(false);
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>The latest version, or the one named by <paramref name="version"/> when given; null when there is no such version.</summary>
    public static Task<DefinitionVersionRecord?> LatestOrAsync(RunDbContext db, string workflowId, string? version, CancellationToken cancellationToken = default) =>
        version is null ? LatestAsync(db, workflowId, cancellationToken) : FindAsync(db, workflowId, version, cancellationToken);
}
