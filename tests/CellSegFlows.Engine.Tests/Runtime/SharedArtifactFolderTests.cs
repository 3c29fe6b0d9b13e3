using System.Security.Cryptography;
using CellSegFlows.Engine.TestHost;

namespace CellSegFlows.Engine.Tests.Runtime;

/// <summary>Two worker processes writing one artifact folder at once (README, "Shared artifact folder").</summary>
public sealed class SharedArtifactFolderTests
{
    [Fact]
    public async Task Two_processes_writing_the_same_and_different_blobs_at_once_leave_every_file_whole_and_named_by_its_hash()
    {
        var folder = TestPaths.NewTempFolder();
        var root = Path.Combine(folder, "artifacts");
        var go = Path.Combine(folder, "go");
        var env = new Dictionary<string, string> { ["CELLSEGFLOWS_TEST_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        using var first = TestHostProcess.Start(env, "put", root, go, "1");
        using var second = TestHostProcess.Start(env, "put", root, go, "2");
        await Task.Delay(500);   // both are waiting for the start file by now (they poll every 10 ms)
        await File.WriteAllTextAsync(go, "go");

        // A reader meanwhile: whatever file it finds under its final name is whole (its bytes hash to its name).
        var seen = 0;
        var reading = Task.Run(async () =>
        {
            while (!(first.HasExited && second.HasExited))
            {
                foreach (var file in Directory.Exists(Path.Combine(root, "sha256")) ? Directory.GetFiles(Path.Combine(root, "sha256"), "*", SearchOption.AllDirectories) : [])
                {
                    Assert.Equal(Path.GetFileNameWithoutExtension(file), await HashAsync(file));
                    seen++;
                }

                await Task.Delay(5);
            }
        });

        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromMinutes(3)));
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromMinutes(3)));
        await reading;
        Assert.True(seen > 0, "the reader never saw a stored file while the writers ran");

        var refs = first.Lines("REF ").Concat(second.Lines("REF ")).Select(l => l.Split(' ')).ToList();
        const int rounds = SharedFolderWriter.Rounds;
        Assert.Equal(2 * rounds * ((3 * SharedFolderWriter.SharedBlobs) + SharedFolderWriter.OwnBlobs), refs.Count);
        var shared = refs.Where(r => r[2].StartsWith("shared-", StringComparison.Ordinal)).GroupBy(r => r[2]).ToList();
        Assert.Equal(rounds * SharedFolderWriter.SharedBlobs, shared.Count);
        Assert.All(shared, g => Assert.Single(g.Select(r => r[0]).Distinct()));   // the same bytes, the same hash, in both processes
        var own = refs.Where(r => r[2].StartsWith("own-", StringComparison.Ordinal)).Select(r => r[0]).ToList();
        Assert.Equal(2 * rounds * SharedFolderWriter.OwnBlobs, own.Distinct().Count());

        var files = Directory.GetFiles(Path.Combine(root, "sha256"), "*", SearchOption.AllDirectories);
        Assert.Equal(rounds * (SharedFolderWriter.SharedBlobs + (2 * SharedFolderWriter.OwnBlobs)), files.Length);
        foreach (var file in files)
        {
            Assert.Equal(Path.GetFileNameWithoutExtension(file), await HashAsync(file));
            Assert.Equal(SharedFolderWriter.BlobBytes, new FileInfo(file).Length);
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(root, "tmp")));
        for (var i = 0; i < SharedFolderWriter.SharedBlobs; i++)
        {
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(SharedFolderWriter.Blob(SharedFolderWriter.SharedNumber(rounds - 1, i)))), shared.Single(g => g.Key == $"shared-{rounds - 1}-{i}.bin").First()[0]);
        }
    }

    private static async Task<string> HashAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }
}
