using System.Diagnostics;
using System.Text.Json.Nodes;

namespace CellSegFlows.Cli.Tests;

/// <summary>
/// Opens a report page from disk in headless Chromium (Debian's, through the studio's playwright-core; script
/// src/CellSegFlows.Studio/tests/report-e2e.mjs) with every request but the page itself blocked, and returns what the
/// script found: tables, sections, figures (decoded sizes), notes, blocked requests and page errors. Screenshots (the whole
/// page and one per section) land in <c>outDir</c>.
/// </summary>
internal static class ReportBrowser
{
    public const string Chromium = "/usr/bin/chromium";

    public static async Task<JsonNode> OpenAsync(string html, string outDir)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (.ci/run does)");
        Directory.CreateDirectory(outDir);
        var start = new ProcessStartInfo("node", [Path.Combine(TestPaths.RepoRoot, "src", "CellSegFlows.Studio", "tests", "report-e2e.mjs")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.Combine(TestPaths.RepoRoot, "src", "CellSegFlows.Studio", "tests"),
        };
        start.Environment["REPORT_HTML"] = html;
        start.Environment["OUT_DIR"] = outDir;
        start.Environment["CHROMIUM"] = Chromium;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(node.ExitCode == 0, await stderr + await stdout);
        return JsonNode.Parse((await stdout).Trim().Split('\n')[^1])!;
    }
}
