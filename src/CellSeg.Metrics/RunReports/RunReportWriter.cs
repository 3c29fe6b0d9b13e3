using System.Text;
using CellSeg.Data.IO;

namespace CellSeg.Metrics.RunReports;

/// <summary>The files of a written report.</summary>
/// <param name="Html">report.html: the self-contained page.</param>
/// <param name="Json">report.json: the tables and notes.</param>
/// <param name="Markdown">report.md: the tables as Markdown.</param>
public sealed record RunReportFiles(string Html, string Json, string Markdown);

/// <summary>Writes a report's three files into a folder, each through a temporary file then moved into place.</summary>
public static class RunReportWriter
{
    /// <summary>Writes <c>report.html</c>, <c>report.json</c> and <c>report.md</c> (or <c>compare.*</c> for a comparison) into <paramref name="folder"/>.</summary>
    public static async Task<RunReportFiles> WriteAsync(string folder, string baseName, string html, string json, string markdown, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var files = new RunReportFiles(Path.Combine(folder, baseName + ".html"), Path.Combine(folder, baseName + ".json"), Path.Combine(folder, baseName + ".md"));
        await Write(files.Html, html, cancellationToken).ConfigureAwait(false);
        await Write(files.Json, json, cancellationToken).ConfigureAwait(false);
        await Write(files.Markdown, markdown, cancellationToken).ConfigureAwait(false);
        return files;
    }

    /// <summary>Writes a run report as <c>report.*</c>.</summary>
    public static Task<RunReportFiles> WriteAsync(RunReport report, string folder, CancellationToken cancellationToken = default) =>
        WriteAsync(folder, "report", RunReportHtml.Render(report), RunReportJson.Render(report), RunReportMarkdown.Render(report), cancellationToken);

    private static Task Write(string path, string text, CancellationToken ct) =>
        AtomicFile.WriteAsync(path, (stream, token) => stream.WriteAsync(Encoding.UTF8.GetBytes(text), token).AsTask(), ct);
}
