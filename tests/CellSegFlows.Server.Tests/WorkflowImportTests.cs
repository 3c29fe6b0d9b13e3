using CellSegFlows.Server.Api;
using CellSegFlows.Server.Auth;

namespace CellSegFlows.Server.Tests;

/// <summary>The server imports the shipped workflows as versions at start: the studio shows what ships, and a restart adds nothing.</summary>
public sealed class WorkflowImportTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer S => fixture.Server;

    [Fact]
    public async Task The_shipped_workflows_import_as_versions_once_and_a_changed_file_adds_one()
    {
        var folder = TestPaths.NewTempFolder();
        var shipped = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "workflows"), "*.json");
        foreach (var file in shipped)
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var first = await WorkflowFolderImport.RunAsync(S.Engine, folder, CancellationToken.None);
        Assert.Empty(first.Problems);
        Assert.Equal(shipped.Length, first.Files);
        Assert.Equal(shipped.Length, first.NewVersions);

        using var viewer = await S.LoginAsync(Roles.Viewer);
        var listed = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/workflows"))).AsArray().Select(w => w!["id"].Str()).ToHashSet();
        Assert.Contains("quickstart", listed);
        Assert.Contains("livecell-download", listed);

        Assert.Equal(0, (await WorkflowFolderImport.RunAsync(S.Engine, folder, CancellationToken.None)).NewVersions);   // a restart adds nothing

        var quickstart = Path.Combine(folder, "quickstart.json");
        await File.WriteAllTextAsync(quickstart, (await File.ReadAllTextAsync(quickstart)).Replace("\"description\": \"", "\"description\": \"Edited. ", StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(folder, "broken.json"), "{ not json");
        var again = await WorkflowFolderImport.RunAsync(S.Engine, folder, CancellationToken.None);
        Assert.Equal(1, again.NewVersions);
        Assert.Contains(again.Problems, p => p.Contains("broken.json", StringComparison.Ordinal));
        var audit = (await TestServer.ReadJsonAsync(await viewer.GetAsync("api/audit?limit=500"))).AsArray();
        Assert.Contains(audit, a => a!["actor"].Str() == "import (quickstart.json)" && a["action"].Str() == "definition.save");
    }
}
