using System.ComponentModel;
using System.Globalization;
using CellSeg.Data.Coco;
using CellSeg.Data.Statistics;
using CellSegFlows.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary><c>cellsegflows coco stats FILE</c>: what a COCO annotation file holds, per cell type.</summary>
internal sealed class CocoStatsCommand(IAnsiConsole console) : AsyncCommand<CocoStatsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("COCO annotation file.")]
        public string File { get; init; } = string.Empty;

        [CommandOption("--lenient")]
        [Description("Skip bad records and list them instead of stopping at the first.")]
        public bool Lenient { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var path = EvalCommand.RequireFile(settings.File, "FILE");
        var dataset = await PhaseProgress.RunAsync(console, progress => CocoReader.LoadAsync(path, new CocoReadOptions
        {
            Lenient = settings.Lenient,
            Progress = new CellSeg.Data.SyncProgress<CellSeg.Data.Coco.ReadProgress>(r => progress.Report(("reading " + Path.GetFileName(path), r.TotalBytes == 0 ? 1 : (double)r.BytesRead / r.TotalBytes))),
        }, cancellationToken)).ConfigureAwait(false);

        console.MarkupLineInterpolated($"[bold]{path}[/]: {dataset.Images.Count} images, {dataset.Annotations.Count} annotations, {dataset.Categories.Count} categories ({string.Join(", ", dataset.Categories.Select(c => $"{c.Id}={c.Name}"))})");
        var table = new Table().Border(TableBorder.Rounded).Title("cells per image");
        table.AddColumn("cell type");
        foreach (var h in (string[])["images", "cells", "min", "median", "mean", "max", "median area px²"])
        {
            table.AddColumn(new TableColumn(h).RightAligned());
        }

        foreach (var row in DatasetStatistics.ByCellType(dataset))
        {
            table.AddRow(
                Markup.Escape(row.Group),
                I(row.Images), I(row.Cells), I(row.MinCellsPerImage), D(row.MedianCellsPerImage), D(row.MeanCellsPerImage), I(row.MaxCellsPerImage), D(row.MedianCellArea));
        }

        console.Write(table);
        if (dataset.Issues.Count > 0)
        {
            console.MarkupLineInterpolated($"[yellow]{dataset.Issues.Count} bad records skipped (--lenient):[/]");
            foreach (var issue in dataset.Issues)
            {
                console.MarkupLineInterpolated($"  [yellow]-[/] {issue}");
            }
        }

        return 0;
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string D(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
