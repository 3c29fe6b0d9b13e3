using System.Reflection;
using PublicApiGenerator;

namespace CellSegFlows.Cli.Tests;

/// <summary>
/// The public surface of the libraries and the engine, as approved text files (PublicApi/*.txt): a change to it shows up
/// as a diff in review. After a deliberate change, run the suite with CELLSEGFLOWS_UPDATE_PUBLIC_API=1 to rewrite the
/// files, and commit them with the change.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> Assemblies => new()
    {
        "CellSeg.Data", "CellSeg.Metrics", "CellSeg.Synthesis", "CellSeg.Models", "CellSegFlows.Engine",
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void The_public_api_is_the_approved_one(string name)
    {
        var assembly = Assembly.Load(name);
        var api = assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"] })
            .ReplaceLineEndings("\n");
        var approved = Path.Combine(TestPaths.RepoRoot, "tests", "CellSegFlows.Cli.Tests", "PublicApi", name + ".txt");
        if (Environment.GetEnvironmentVariable("CELLSEGFLOWS_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(approved, api);
            return;
        }

        Assert.True(File.Exists(approved), $"{approved} is missing: run the tests with CELLSEGFLOWS_UPDATE_PUBLIC_API=1 to write it");
        var expected = File.ReadAllText(approved).ReplaceLineEndings("\n");
        if (expected != api)
        {
            var first = FirstDifference(expected.Split('\n'), api.Split('\n'));
            Assert.Fail($"the public API of {name} changed (first difference at line {first.Line}: approved '{first.Approved}', now '{first.Now}'); " +
                "if that is meant, rerun with CELLSEGFLOWS_UPDATE_PUBLIC_API=1 and commit tests/CellSegFlows.Cli.Tests/PublicApi/" + name + ".txt");
        }
    }

    private static (int Line, string Approved, string Now) FirstDifference(string[] approved, string[] now)
    {
        for (var i = 0; i < Math.Max(approved.Length, now.Length); i++)
        {
            var a = i < approved.Length ? approved[i] : "(end)";
            var b = i < now.Length ? now[i] : "(end)";
            if (a != b)
            {
                return (i + 1, a.Trim(), b.Trim());
            }
        }

        return (0, string.Empty, string.Empty);
    }
}
