using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Server.Auth;

/// <summary>Who changed what, when: definition versions saved, runs started, cancelled or retried, users and keys.</summary>
public static class AuditLog
{
    /// <summary>Adds an entry to a unit of work (it commits with the change it describes).</summary>
    public static void Add(RunDbContext db, string actor, string action, string target, string? detail = null) =>
        db.Audit.Add(AuditRecord.Now(actor, action, target, detail));

    /// <summary>Writes one entry on its own.</summary>
    public static Task WriteAsync(RunStoreOptions store, string actor, string action, string target, string? detail = null, CancellationToken ct = default) =>
        store.AuditAsync(actor, action, target, detail, ct);

    /// <summary>Entries newest first, optionally about one target.</summary>
    public static async Task<IReadOnlyList<AuditRecord>> ListAsync(RunStoreOptions store, string? target, int limit, CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        var query = db.Audit.AsNoTracking();
        if (target is not null)
        {
            query = query.Where(a => a.Target == target);
        }

        return await query.OrderByDescending(a => a.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct).ConfigureAwait(false);
    }
}
