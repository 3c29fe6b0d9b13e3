using System.Diagnostics;
using CellSeg.Models.Runtime;

namespace CellSegFlows.Cli.Tests;

public class FreshMachineTests
{
    /// <summary>Tools a fresh machine with only the .NET SDK lacks; the main job must build and run without them.</summary>
    private static readonly string[] Hidden = ["gcc", "cc", "c++", "g++", "cpp", "patchelf", "npm", "npx", "node", "nodejs", "python", "python3"];

    [Fact]
    public async Task README_main_job_builds_and_runs_in_a_copy_of_the_tree_with_no_compiler_patchelf_python_or_node_on_PATH()
    {
        var root = TestPaths.NewTempFolder();
        var tree = Path.Combine(root, "checkout");
        CopyWorkingTree(TestPaths.RepoRoot, tree);
        var bin = Path.Combine(root, "bin");
        var path = FilteredPath(bin);
        foreach (var tool in Hidden)
        {
            Assert.False(File.Exists(Path.Combine(bin, tool)), tool + " is hidden");
        }

        // README's first command, word for word, with a smaller budget so the test stays short.
        var (code, output) = await RunAsync(tree, path, "dotnet", "run", "--project", "src/CellSegFlows.Cli", "--", "run", "workflows/quickstart.json",
            "--param", "stepsPerEpoch=4", "--param", "epochs=1");

        Assert.True(code == 0, output);
        Assert.Contains("of quickstart", output);
        Assert.Contains("Succeeded in", output);
        Assert.Contains("unet[0]", output);
        Assert.DoesNotContain("patchelf", output);
        var built = Directory.GetFiles(Path.Combine(tree, "src", "CellSegFlows.Cli", "bin"), "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(built);
        Assert.All(built, lib => Assert.Contains(ElfVersionNeeds.Read(lib), n => n is { Version: "GLIBCXX_3.4.32", Weak: true }));
        Assert.Empty(Directory.GetFiles(Path.Combine(tree, "src", "CellSegFlows.Cli", "bin"), "libcellseg_iosinit.so", SearchOption.AllDirectories));
    }

    /// <summary>The files git tracks or would track (no build outputs), as a fresh clone has them.</summary>
    private static void CopyWorkingTree(string from, string to)
    {
        var list = Process.Start(new ProcessStartInfo("git", ["-C", from, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]) { RedirectStandardOutput = true })!;
        var files = list.StandardOutput.ReadToEnd().Split('\0', StringSplitOptions.RemoveEmptyEntries);
        list.WaitForExit();
        Assert.Equal(0, list.ExitCode);
        foreach (var file in files.Where(f => File.Exists(Path.Combine(from, f))))
        {
            var target = Path.Combine(to, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(from, file), target);
        }
    }

    /// <summary>A folder of links to every program on PATH except the hidden ones; returns it as the whole PATH.</summary>
    private static string FilteredPath(string bin)
    {
        Directory.CreateDirectory(bin);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Where(Directory.Exists))
        {
            foreach (var program in Directory.EnumerateFiles(dir))
            {
                var name = Path.GetFileName(program);
                if (Hidden.Contains(name) || name.StartsWith("python", StringComparison.Ordinal) || name.StartsWith("x86_64-linux-gnu-", StringComparison.Ordinal)
                    || name.StartsWith("gcc", StringComparison.Ordinal) || File.Exists(Path.Combine(bin, name)))
                {
                    continue;
                }

                File.CreateSymbolicLink(Path.Combine(bin, name), program);
            }
        }

        return bin;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string directory, string path, string program, params string[] args)
    {
        var dotnet = Path.Combine(path, program);
        var start = new ProcessStartInfo(File.Exists(dotnet) ? dotnet : program, args) { WorkingDirectory = directory };
        start.Environment["PATH"] = path;
        start.Environment.Remove("CELLSEGFLOWS_HOME");
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";        // no build node of the outer build (its PATH has the tools)
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        return await ChildProcess.RunAsync(start, TimeSpan.FromMinutes(10));
    }
}
