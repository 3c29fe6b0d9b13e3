using System.ComponentModel;
using CellSeg.Data.Livecell;
using CellSeg.Metrics.Reports;
using CellSegFlows.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary><c>cellsegflows eval</c>: score a COCO results file against a COCO ground-truth file.</summary>
internal sealed class EvalCommand(IAnsiConsole console) : AsyncCommand<EvalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--gt <FILE>")]
        [Description("COCO ground-truth file (e.g. livecell_coco_test.json).")]
        public string? GroundTruth { get; init; }

        [CommandOption("--pred <FILE>")]
        [Description("COCO results file: a list of {image_id, category_id, score, segmentation and/or bbox}.")]
        public string? Predictions { get; init; }

        [CommandOption("--iou-type <TYPE>")]
        [Description("segm (masks, default) or bbox.")]
        [DefaultValue("segm")]
        public string IouType { get; init; } = "segm";

        [CommandOption("--preset <NAME>")]
        [Description("livecell (LIVECell authors' settings: class-agnostic, maxDets 100/500/2000, areas at 18² and 31²) or coco (pycocotools defaults). Default: livecell when the images have LIVECell names, else coco.")]
        public string? Preset { get; init; }

        [CommandOption("--by-cell-type")]
        [Description("Add one row per cell type (from the LIVECell file names).")]
        public bool ByCellType { get; init; }

        [CommandOption("--score-threshold <SCORE>")]
        [Description("Score a detection needs to be painted into the semantic mask for F1 (default 0.5).")]
        [DefaultValue(0.5)]
        public double ScoreThreshold { get; init; } = 0.5;

        [CommandOption("--json <FILE>")]
        [Description("Also write the results as JSON (field names as pycocotools reference files).")]
        public string? Json { get; init; }

        [CommandOption("--markdown <FILE>")]
        [Description("Also write the table as Markdown.")]
        public string? Markdown { get; init; }

        [CommandOption("--max-image-side <PIXELS>")]
        [Description("Refuse images with a longer side (default 32768).")]
        public int MaxImageSide { get; init; } = CellSeg.Data.Coco.CocoReadOptions.DefaultMaxImageSide;

        [CommandOption("--max-image-pixels <PIXELS>")]
        [Description("Refuse images with more pixels (default 268435456 = 2^28).")]
        public long MaxImagePixels { get; init; } = CellSeg.Data.Coco.CocoReadOptions.DefaultMaxImagePixels;

        [CommandOption("--max-objects-per-image <N>")]
        [Description("Refuse files with more annotations or detections on one image (default 20000).")]
        public int MaxObjectsPerImage { get; init; } = CellSeg.Data.Coco.CocoReadOptions.DefaultMaxObjectsPerImage;

        [CommandOption("--lenient")]
        [Description("Skip bad records (listed in the report) instead of stopping at the first.")]
        public bool Lenient { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(GroundTruth))
            {
                return ValidationResult.Error("--gt is required");
            }

            if (string.IsNullOrWhiteSpace(Predictions))
            {
                return ValidationResult.Error("--pred is required");
            }

            if (IouType is not ("segm" or "bbox"))
            {
                return ValidationResult.Error($"--iou-type must be segm or bbox, not '{IouType}'");
            }

            if (MaxImageSide < 1 || MaxImagePixels < 1 || MaxObjectsPerImage < 1)
            {
                return ValidationResult.Error("--max-image-side, --max-image-pixels and --max-objects-per-image must be at least 1");
            }

            if (Preset is not (null or "livecell" or "coco"))
            {
                return ValidationResult.Error($"--preset must be livecell or coco, not '{Preset}'");
            }

            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var gtPath = RequireFile(settings.GroundTruth!, "--gt");
        var predPath = RequireFile(settings.Predictions!, "--pred");
        RequireWritableFile(settings.Json, "--json");
        RequireWritableFile(settings.Markdown, "--markdown");
        var iouType = settings.IouType == "bbox" ? CellSeg.Metrics.Coco.IouType.Bbox : CellSeg.Metrics.Coco.IouType.Segm;
        var report = await PhaseProgress.RunAsync(console, async progress =>
        {
            var options = new EvaluationOptions
            {
                IouType = iouType,
                Preset = settings.Preset,
                GroupOf = settings.ByCellType ? image => CellTypes.TryFromFileName(image.FileName, out var type) ? type : null : null,
                SemanticScoreThreshold = settings.ScoreThreshold,
                Lenient = settings.Lenient,
                ReadLimits = new CellSeg.Data.Coco.CocoReadOptions { MaxImageSide = settings.MaxImageSide, MaxImagePixels = settings.MaxImagePixels, MaxObjectsPerImage = settings.MaxObjectsPerImage },
                Progress = progress,
            };
            return await Evaluation.RunAsync(gtPath, predPath, options, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);

        ReportTable.Write(console, report);
        if (settings.Json is { } json)
        {
            await ReportJson.WriteAsync(report, json, cancellationToken).ConfigureAwait(false);
            console.MarkupLineInterpolated($"wrote [blue]{json}[/]");
        }

        if (settings.Markdown is { } md)
        {
            await ReportMarkdown.WriteAsync(report, md, cancellationToken).ConfigureAwait(false);
            console.MarkupLineInterpolated($"wrote [blue]{md}[/]");
        }

        return 0;
    }

    internal static string RequireFile(string path, string option) =>
        File.Exists(path) ? path : throw new UserInputException($"{option}: file not found: {path}");

    /// <summary>Checked before the evaluation, so a typo does not cost its minutes: the report goes to a file, not a folder.</summary>
    internal static void RequireWritableFile(string? path, string option)
    {
        if (path is null)
        {
            return;
        }

        if (Directory.Exists(path) || path.EndsWith('/'))
        {
            throw new UserInputException($"{option} {path}: is a folder; give a file name");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (File.Exists(folder))
        {
            throw new UserInputException($"{option} {path}: {folder} is a file, not a folder");
        }
    }
}
