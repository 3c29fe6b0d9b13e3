using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Engine.Store;

/// <summary>
/// Retention of a run store and its artifact folder: finished runs older than a cut-off go (with their steps, journal,
/// artifact records, metrics and cache entries), then every stored blob that nothing kept references is deleted.
/// Kept references: any artifact hash in a kept run's artifact records, step inputs and outputs or run outputs, in a
/// kept cache entry, or in a registered model version (a run that produced a model version is itself kept). Blobs
/// written within <see cref="BlobGrace"/> are kept too: a running step may have stored one and not yet recorded it.
/// </summary>
public sealed partial class Retention(RunStoreOptions store, string artifactRoot)
{
    /// <summary>How young a blob (or a leftover temporary file) may be and still never be collected.</summary>
    public static readonly TimeSpan BlobGrace = TimeSpan.FromHours(1);

    private const int Chunk = 200;

    /// <summary>Prunes runs finished before <paramref name="olderThan"/> ago and collects unreferenced blobs; with
    /// <paramref name="dryRun"/> only lists what would go.</summary>
    public async Task<RetentionReport> PruneAsync(TimeSpan olderThan, bool dryRun, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        var cutoff = now - olderThan;
        List<RunRecord> runs;
        HashSet<string> modelRuns;
        await using (var db = store.CreateContext())
        {
            // Filtered here, not in SQL: SQLite cannot compare DateTimeOffset columns.
            runs = (await db.Runs.AsNoTracking().Where(r => r.Status == RunStatus.Succeeded || r.Status == RunStatus.Failed || r.Status == RunStatus.Cancelled)
                .ToListAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.FinishedAt is { } f && f < cutoff).ToList();
            modelRuns = (await db.ModelVersions.AsNoTracking().Where(v => v.RunId != null).Select(v => v.RunId!).ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
        }

        var pruned = runs.Where(r => !modelRuns.Contains(r.Id)).OrderBy(r => r.FinishedAt).ToList();
        var keptForModels = runs.Count - pruned.Count;
        if (!dryRun)
        {
            foreach (var chunk in pruned.Select(r => r.Id).Chunk(Chunk))
            {
                await store.WriteAsync(async db =>
                {
                    var steps = await db.Steps.Where(s => chunk.Contains(s.RunId)).Select(s => s.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
                    foreach (var stepChunk in steps.Chunk(Chunk))
                    {
                        await db.Cache.Where(c => stepChunk.Contains(c.StepId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await db.Events.Where(e => chunk.Contains(e.RunId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    await db.Metrics.Where(m => chunk.Contains(m.RunId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    await db.Artifacts.Where(a => chunk.Contains(a.RunId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    await db.Steps.Where(s => chunk.Contains(s.RunId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    await db.Nodes.Where(n => chunk.Contains(n.RunId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    await db.Runs.Where(r => chunk.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }, cancellationToken).ConfigureAwait(false);
            }
        }

        var referenced = await ReferencedHashesAsync(dryRun ? pruned.Select(r => r.Id).ToHashSet() : [], cancellationToken).ConfigureAwait(false);
        var blobs = new List<CollectedBlob>();
        var sha = Path.Combine(artifactRoot, "sha256");
        if (Directory.Exists(sha))
        {
            foreach (var file in Directory.EnumerateFiles(sha, "*", SearchOption.AllDirectories))
            {
                var info = new FileInfo(file);
                var hash = Path.GetFileNameWithoutExtension(file);
                if (!Artifacts.LocalArtifactStore.IsHash(hash) || referenced.Contains(hash) || now - info.LastWriteTimeUtc < BlobGrace)
                {
                    continue;
                }

                blobs.Add(new CollectedBlob(hash, file, info.Length));
                if (!dryRun)
                {
                    File.Delete(file);
                }
            }
        }

        // Temporary files of writers killed mid-write (a live writer's file is younger than the grace).
        var leftovers = 0;
        var tmp = Path.Combine(artifactRoot, "tmp");
        if (Directory.Exists(tmp))
        {
            foreach (var file in Directory.EnumerateFiles(tmp).Where(f => now - File.GetLastWriteTimeUtc(f) >= BlobGrace).ToList())
            {
                leftovers++;
                if (!dryRun)
                {
                    File.Delete(file);
                }
            }
        }

        return new RetentionReport(dryRun, cutoff, pruned, keptForModels, blobs, leftovers);
    }

    /// <summary>Every artifact hash the run store still references, as if the runs in <paramref name="without"/> were gone.</summary>
    private async Task<HashSet<string>> ReferencedHashesAsync(HashSet<string> without, CancellationToken cancellationToken)
    {
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        await using var db = store.CreateContext();
        foreach (var a in await db.Artifacts.AsNoTracking().Select(a => new { a.RunId, a.Hash }).ToListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!without.Contains(a.RunId))
            {
                hashes.Add(a.Hash);
            }
        }

        var withoutSteps = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var s in db.Steps.AsNoTracking().Select(s => new { s.Id, s.RunId, s.InputsJson, s.OutputsJson }).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (without.Contains(s.RunId))
            {
                withoutSteps.Add(s.Id);
                continue;
            }

            AddHashes(hashes, s.InputsJson);
            AddHashes(hashes, s.OutputsJson);
        }

        foreach (var r in await db.Runs.AsNoTracking().Select(r => new { r.Id, r.OutputsJson }).ToListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!without.Contains(r.Id))
            {
                AddHashes(hashes, r.OutputsJson);
            }
        }

        foreach (var c in await db.Cache.AsNoTracking().Select(c => new { c.StepId, c.OutputsJson }).ToListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!withoutSteps.Contains(c.StepId))
            {
                AddHashes(hashes, c.OutputsJson);
            }
        }

        hashes.UnionWith(await db.ModelVersions.AsNoTracking().Select(v => v.ArtifactHash).ToListAsync(cancellationToken).ConfigureAwait(false));
        return hashes;
    }

    // Any 64-hex string in the JSON: an artifact reference is {"hash": …}, wherever it sits (lists, records, map
    // elements). A hex string that is not an artifact only keeps a blob that would otherwise go.
    private static void AddHashes(HashSet<string> hashes, string? json)
    {
        if (json is null)
        {
            return;
        }

        foreach (Match m in HexHash().Matches(json))
        {
            hashes.Add(m.Value);
        }
    }

    [GeneratedRegex("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")]
    private static partial Regex HexHash();
}

/// <summary>What a prune did (or, for a dry run, would do).</summary>
/// <param name="DryRun">Nothing was deleted.</param>
/// <param name="Cutoff">Runs that finished before this went.</param>
/// <param name="Runs">The pruned runs.</param>
/// <param name="KeptForModels">Runs old enough that were kept because a registered model version came from them.</param>
/// <param name="Blobs">The blobs collected (no kept run, cache entry or model version references them).</param>
/// <param name="TemporaryFiles">Leftover temporary files of killed writers removed from the artifact folder.</param>
public sealed record RetentionReport(bool DryRun, DateTimeOffset Cutoff, IReadOnlyList<RunRecord> Runs, int KeptForModels, IReadOnlyList<CollectedBlob> Blobs, int TemporaryFiles)
{
    /// <summary>Bytes of the collected blobs.</summary>
    public long Bytes => Blobs.Sum(b => b.Size);
}

/// <summary>One blob that a prune collected.</summary>
/// <param name="Hash">Its SHA-256.</param>
/// <param name="Path">Its file.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record CollectedBlob(string Hash, string Path, long Size);
