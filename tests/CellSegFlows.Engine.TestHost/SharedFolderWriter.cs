using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;

namespace CellSegFlows.Engine.TestHost;

/// <summary>
/// One writer of a shared artifact folder for the concurrency test: it waits for a start file (so several
/// processes begin together), then stores, in parallel, blobs every writer stores (the same bytes, each three
/// times) and blobs only it stores (from its seed), round by round, and prints each reference.
/// </summary>
public static class SharedFolderWriter
{
    public const int Rounds = 20;
    public const int SharedBlobs = 8;
    public const int OwnBlobs = 8;
    public const int BlobBytes = 64 * 1024;

    public static async Task<int> RunAsync(string root, string goFile, int seed)
    {
        var store = new LocalArtifactStore(root);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!File.Exists(goFile))
        {
            if (DateTime.UtcNow > deadline)
            {
                Console.Error.WriteLine($"no {goFile} within 2 minutes");
                return 2;
            }

            await Task.Delay(10);
        }

        // Round by round, so the writers meet each new shared hash at about the same moment (and a reader sees files
        // appear while they write); shuffled within a round, so they take the hashes in different orders.
        for (var round = 0; round < Rounds; round++)
        {
            var writes = new List<(byte[] Bytes, string Name)>();
            for (var i = 0; i < SharedBlobs; i++)
            {
                for (var copy = 0; copy < 3; copy++)
                {
                    writes.Add((Blob(SharedNumber(round, i)), $"shared-{round}-{i}.bin"));
                }
            }

            for (var i = 0; i < OwnBlobs; i++)
            {
                writes.Add((Blob((seed * 1_000_000) + (round * 1_000) + i), $"own-{round}-{i}.bin"));
            }

            var refs = new System.Collections.Concurrent.ConcurrentBag<ArtifactRef>();
            await Parallel.ForEachAsync(writes.OrderBy(_ => Random.Shared.Next()).ToList(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (write, ct) =>
                refs.Add(await store.PutBytesAsync(write.Bytes, write.Name, ct).ConfigureAwait(false)));
            foreach (var r in refs)
            {
                Console.WriteLine($"REF {r.Hash} {r.Size} {r.Name}");
            }
        }

        return 0;
    }

    /// <summary>The blob number of a shared blob (the same in every writer).</summary>
    public static int SharedNumber(int round, int index) => 500_000 + (round * 1_000) + index;

    /// <summary>Deterministic bytes for a blob number (the same number gives the same bytes in every process).</summary>
    public static byte[] Blob(int number)
    {
        var bytes = new byte[BlobBytes];
        new Random(number).NextBytes(bytes);
        return bytes;
    }
}
