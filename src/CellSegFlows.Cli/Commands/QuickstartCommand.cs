using System.ComponentModel;
using CellSeg.Data.Baselines;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Livecell;
using CellSeg.Data.Samples;
using CellSeg.Metrics.Reports;
using CellSegFlows.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// <c>cellsegflows quickstart</c>, the main job for now: data (made offline, or given) → COCO parsing
/// and statistics → classical baseline segmentation → COCO AP/AFNR and F1 per cell type → reports and
/// an overlay sheet. Later issues replace it with the quickstart workflow on the engine.
/// </summary>
internal sealed class QuickstartCommand(IAnsiConsole console) : AsyncCommand<QuickstartCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Output folder (default out/quickstart).")]
        [DefaultValue("out/quickstart")]
        public string Out { get; init; } = "out/quickstart";

        [CommandOption("--gt <FILE>")]
        [Description("Use this COCO ground truth instead of making a sample (e.g. a LIVECell split file); needs --images.")]
        public string? GroundTruth { get; init; }

        [CommandOption("--images <DIR>")]
        [Description("Folder with the images named in --gt (flat, or one subfolder per cell type).")]
        public string? Images { get; init; }

        [CommandOption("--images-per-cell-type <N>")]
        [Description("Sample size when making data (default 2 per cell line, 16 images).")]
        [DefaultValue(2)]
        public int ImagesPerCellType { get; init; } = 2;

        [CommandOption("--seed <N>")]
        [Description("Seed of the generated sample (default 1).")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        public override ValidationResult Validate()
        {
            if ((GroundTruth is null) != (Images is null))
            {
                return ValidationResult.Error("--gt and --images go together");
            }

            return ImagesPerCellType < 1 ? ValidationResult.Error("--images-per-cell-type must be at least 1") : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var outDir = Path.GetFullPath(settings.Out);
        Directory.CreateDirectory(outDir);
        console.MarkupLineInterpolated($"[bold]CellSegFlows quickstart[/] → [blue]{outDir}[/]");

        // 1. Data: made offline unless given.
        string gtPath, imagesDir;
        if (settings.GroundTruth is null)
        {
            var sample = await PhaseProgress.RunAsync(console, progress => SampleDatasetGenerator.WriteAsync(
                Path.Combine(outDir, "sample"),
                new SampleDatasetOptions { ImagesPerCellType = settings.ImagesPerCellType, Seed = settings.Seed },
                new CellSeg.Data.SyncProgress<double>(f => progress.Report(("making sample images", f))),
                cancellationToken)).ConfigureAwait(false);
            (gtPath, imagesDir) = (sample.AnnotationsPath, sample.ImagesFolder);
        }
        else
        {
            gtPath = EvalCommand.RequireFile(settings.GroundTruth, "--gt");
            imagesDir = Directory.Exists(settings.Images) ? settings.Images! : throw new UserInputException($"--images: folder not found: {settings.Images}");
        }

        // 2. Parse and describe.
        var gt = await CocoReader.LoadAsync(gtPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        console.MarkupLineInterpolated($"ground truth: {gt.Images.Count} images, {gt.Annotations.Count} cells ([grey]{gtPath}[/])");

        // 3. Segment every image with the classical baseline.
        var detections = new List<CocoDetection>();
        var panels = new List<OverlayPanel>();
        await PhaseProgress.RunAsync(console, async progress =>
        {
            for (var i = 0; i < gt.Images.Count; i++)
            {
                var entry = gt.Images[i];
                var image = await GrayImageIO.ReadAsync(ResolveImage(imagesDir, entry.FileName), cancellationToken).ConfigureAwait(false);
                var cells = ContrastSegmenter.Segment(image);
                detections.AddRange(cells.Select(c => new CocoDetection(entry.Id, 1, c.Score, new RleSegmentation(c.Mask), null)));
                if (panels.Count < 3)
                {
                    panels.Add(new OverlayPanel(image, gt.AnnotationsOf(entry.Id).Select(a => a.Segmentation.ToRle(entry.Height, entry.Width)).ToList(), cells.Select(c => c.Mask).ToList()));
                }

                progress.Report(("segmenting (classical baseline)", (i + 1.0) / gt.Images.Count));
            }

            return 0;
        }).ConfigureAwait(false);
        var predictionsPath = Path.Combine(outDir, "predictions.json");
        await CocoWriter.WriteDetectionsAsync(detections, predictionsPath, cancellationToken).ConfigureAwait(false);

        // 4. Evaluate exactly as pycocotools with LIVECell's settings, per cell type.
        var report = await PhaseProgress.RunAsync(console, progress => Evaluation.RunAsync(gtPath, predictionsPath, new EvaluationOptions
        {
            Preset = "livecell",
            GroupOf = image => CellTypes.TryFromFileName(image.FileName, out var type) ? type : null,
            Progress = progress,
        }, cancellationToken)).ConfigureAwait(false);
        ReportTable.Write(console, report);

        // 5. Reports and a picture.
        var jsonPath = Path.Combine(outDir, "report.json");
        var mdPath = Path.Combine(outDir, "report.md");
        var sheetPath = Path.Combine(outDir, "overlay.png");
        await ReportJson.WriteAsync(report, jsonPath, cancellationToken).ConfigureAwait(false);
        await ReportMarkdown.WriteAsync(report, mdPath, cancellationToken).ConfigureAwait(false);
        await OverlaySheet.WritePngAsync(panels, sheetPath, cancellationToken).ConfigureAwait(false);
        console.MarkupLineInterpolated($"wrote [blue]{predictionsPath}[/], [blue]{jsonPath}[/], [blue]{mdPath}[/], [blue]{sheetPath}[/] (green: annotation, magenta: baseline)");
        return 0;
    }

    private static string ResolveImage(string folder, string fileName) =>
        LivecellLayout.TryResolveImageIn(folder, fileName, out var path)
            ? path
            : throw new UserInputException($"image '{fileName}' named in the ground truth is not in {folder}");
}
