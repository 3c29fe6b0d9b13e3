using System.ComponentModel;
using CellSeg.Metrics.RunReports;
using CellSegFlows.Activities.Analysis;
using CellSegFlows.Engine.Artifacts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// <c>cellsegflows report RUN_ID [--out DIR]</c>: a run's results as the paper shows them, one self-contained HTML page
/// plus JSON and Markdown; <c>report --compare RUN_A RUN_B</c>: two runs' tables side by side with deltas.
/// </summary>
internal sealed class ReportCommand(IAnsiConsole console) : AsyncCommand<ReportCommand.Settings>
{
    public sealed class Settings : EngineSettings
    {
        [CommandArgument(0, "<RUN_IDS>")]
        [Description("The run; with --compare, run A then run B.")]
        public string[] RunIds { get; init; } = [];

        [CommandOption("--compare")]
        [Description("Compare two runs (RUN_A RUN_B): their tables side by side with B − A.")]
        public bool Compare { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Where to write report.html/.json/.md (compare.* with --compare); default ./report-RUN_ID (./compare-RUN_A-RUN_B).")]
        public string? Out { get; init; }

        public override ValidationResult Validate() =>
            Compare
                ? RunIds.Length == 2 ? ValidationResult.Success() : ValidationResult.Error($"--compare takes two runs (RUN_A RUN_B), not {RunIds.Length}")
                : RunIds.Length == 1 ? ValidationResult.Success() : ValidationResult.Error($"report takes one run, not {RunIds.Length} (two runs: --compare RUN_A RUN_B)");
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Out is { } o && File.Exists(o))
        {
            throw new UserInputException($"--out {o}: is a file, not a folder");
        }

        var queries = await settings.QueriesAsync(cancellationToken).ConfigureAwait(false);
        var artifacts = new LocalArtifactStore(Path.Combine(settings.HomeFolder, "artifacts"));
        var paper = PaperReference.Load();
        async Task<RunReport> BuildAsync(string runId)
        {
            var detail = await queries.DetailAsync(runId, cancellationToken).ConfigureAwait(false);
            try
            {
                return await RunReportBuilder.BuildAsync(RunReportSourcesFromRun.Collect(detail, artifacts), paper, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException ex)
            {
                throw new UserInputException($"run {runId}: {ex.Message}");
            }
        }

        if (settings.Compare)
        {
            var a = await BuildAsync(settings.RunIds[0]).ConfigureAwait(false);
            var b = await BuildAsync(settings.RunIds[1]).ConfigureAwait(false);
            var compared = await RunComparison.WriteAsync(a, b, settings.Out ?? $"compare-{settings.RunIds[0]}-{settings.RunIds[1]}", cancellationToken).ConfigureAwait(false);
            WriteComparison(a, b);
            console.MarkupLineInterpolated($"wrote [bold]{compared.Html}[/], {compared.Json}, {compared.Markdown}");
            return 0;
        }

        var report = await BuildAsync(settings.RunIds[0]).ConfigureAwait(false);
        var files = await RunReportWriter.WriteAsync(report, settings.Out ?? $"report-{settings.RunIds[0]}", cancellationToken).ConfigureAwait(false);
        WriteTables(report);
        foreach (var section in report.Sections.Where(s => s.Missing is not null))
        {
            console.MarkupLineInterpolated($"[grey]{section.Title}: {section.Missing}[/]");
        }

        console.MarkupLineInterpolated($"wrote [bold]{files.Html}[/] ({report.Sections.Sum(s => s.Figures.Count)} figures), {files.Json}, {files.Markdown}");
        return 0;
    }

    private void WriteTables(RunReport report)
    {
        if (report.TablesMissing is { } missing)
        {
            console.MarkupLineInterpolated($"[yellow]{missing}[/]");
            return;
        }

        foreach (var metric in RunResults.Metrics)
        {
            var models = report.ModelsWith(metric);
            if (models.Count == 0)
            {
                continue;
            }

            var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(ReportFormat.Caption(metric))).AddColumn("cell type");
            foreach (var m in models)
            {
                table.AddColumn(new TableColumn(Markup.Escape(m.Model)).RightAligned());
            }

            foreach (var row in report.Rows.Where(s => models.Any(m => m.Rows.ContainsKey(s))))
            {
                table.AddRow([Markup.Escape(report.Paper.LabelOf(row)), .. models.Select(m =>
                {
                    var cell = report.Cell(m, row, metric);
                    return Markup.Escape(ReportFormat.Value(cell.Value) + (cell.Paper is { } p ? $" (paper {ReportFormat.Value(p.Value)}, {ReportFormat.Delta(cell.Delta)})" : string.Empty));
                })]);
            }

            console.Write(table);
        }
    }

    private void WriteComparison(RunReport a, RunReport b)
    {
        foreach (var metric in RunResults.Metrics)
        {
            var models = RunComparison.ModelNames(a, b, metric);
            if (models.Count == 0)
            {
                continue;
            }

            var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{metric}: A = {a.RunId}, B = {b.RunId}")).AddColumn("cell type");
            foreach (var m in models)
            {
                table.AddColumn(new TableColumn(Markup.Escape($"{m} A / B / B − A")).RightAligned());
            }

            foreach (var row in RunComparison.Rows(a, b))
            {
                var cells = models.Select(m => RunComparison.Values(a, b, m, row, metric)).ToList();
                if (cells.All(c => c.A is null && c.B is null))
                {
                    continue;
                }

                table.AddRow([Markup.Escape(a.Paper.LabelOf(row)), .. cells.Select(c =>
                    Markup.Escape($"{ReportFormat.Value(c.A)} / {ReportFormat.Value(c.B)} / {(c.A is { } x && c.B is { } y ? ReportFormat.Delta(y - x) : "–")}"))]);
            }

            console.Write(table);
        }
    }
}
