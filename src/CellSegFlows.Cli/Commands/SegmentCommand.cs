using System.ComponentModel;
using System.Globalization;
using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Livecell;
using CellSeg.Data.Masks;
using CellSeg.Models;
using CellSeg.Models.Inference;
using CellSegFlows.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary><c>cellsegflows segment --model M --out DIR IMAGES...</c>: a trained U-Net applied to images.</summary>
internal sealed class SegmentCommand(IAnsiConsole console) : AsyncCommand<SegmentCommand.Settings>
{
    private static readonly string[] ImageExtensions = [".tif", ".tiff", ".png"];

    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<IMAGES>")]
        [Description("Image files (8/16-bit gray TIFF or PNG) or folders of them.")]
        public string[] Images { get; init; } = [];

        [CommandOption("--model <FILE>")]
        [Description("A model file written by TrainUNet / UNetTrainer (its header names the architecture), or model://NAME (a registered model's champion) or model://NAME@VERSION from the run store of --home / --store.")]
        public string? Model { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder: <name>.mask.png, <name>.labels.png, <name>.overlay.png, predictions.json.")]
        public string? Out { get; init; }

        [CommandOption("--gt <FILE>")]
        [Description("COCO ground truth naming the images: predictions take its image ids, overlays show its cells in green.")]
        public string? GroundTruth { get; init; }

        [CommandOption("--threshold <P>")]
        [Description("Probability above which a pixel is a cell (default 0.5).")]
        public double Threshold { get; init; } = 0.5;

        [CommandOption("--tile <N>")]
        [Description("Run in overlapping N×N tiles (large images); default: the whole image, padded to a multiple of 2^depth.")]
        public int? Tile { get; init; }

        [CommandOption("--min-area <PX>")]
        [Description("Smallest instance kept, in pixels (default 10).")]
        public int MinArea { get; init; } = 10;

        [CommandOption("--cell-type <TYPE>")]
        [Description("Cell type of every image, for an ensemble (default: from each file name; unknown: the members' mean).")]
        public string? CellType { get; init; }

        [CommandOption("--device <DEVICE>")]
        [Description("cpu, cuda, cuda:N or auto (default cpu).")]
        public string Device { get; init; } = "cpu";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var modelText = settings.Model ?? throw new UserInputException("--model is required");
        string modelPath;
        if (Engine.Registry.ModelReference.LooksLike(modelText))
        {
            (modelPath, var version) = await ModelRegistryAccess.FileOfAsync(settings, modelText, cancellationToken).ConfigureAwait(false);
            console.MarkupLineInterpolated($"{modelText} is {version.Name}@{version.Version} ({version.ArtifactName})");
        }
        else
        {
            modelPath = EvalCommand.RequireFile(modelText, "--model");
        }
        var outDir = settings.Out ?? throw new UserInputException("--out is required");
        var files = Expand(settings.Images);
        if (files.Count == 0)
        {
            throw new UserInputException("no images given (files or folders of .tif/.tiff/.png)");
        }

        if (settings.Threshold is <= 0 or >= 1)
        {
            throw new UserInputException($"--threshold must be between 0 and 1, not {settings.Threshold.ToString(CultureInfo.InvariantCulture)}");
        }

        var gt = settings.GroundTruth is { } gtPath ? await CocoReader.LoadAsync(EvalCommand.RequireFile(gtPath, "--gt"), cancellationToken: cancellationToken).ConfigureAwait(false) : null;
        var byName = gt?.Images.ToDictionary(i => Path.GetFileName(i.FileName), StringComparer.Ordinal);
        Directory.CreateDirectory(outDir);
        using var model = SegmentationModel.Load(modelPath, settings.Device);
        var segmenter = new UNetSegmenter(model, new SegmenterOptions { Threshold = settings.Threshold, TileSize = settings.Tile, MinInstanceArea = settings.MinArea });
        var detections = new List<CocoDetection>();
        var cells = 0;
        await PhaseProgress.RunAsync(console, async progress =>
        {
            for (var i = 0; i < files.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var file = files[i];
                var name = Path.GetFileNameWithoutExtension(file);
                progress.Report(($"segmenting {files.Count} images", (double)i / files.Count));
                var image = await GrayImageIO.ReadAsync(file, cancellationToken).ConfigureAwait(false);
                long imageId = i + 1;
                if (byName is not null)
                {
                    imageId = byName.TryGetValue(Path.GetFileName(file), out var record)
                        ? record.Id
                        : throw new UserInputException($"{file}: the image is not named in {settings.GroundTruth}");
                }

                var type = settings.CellType ?? (CellTypes.TryFromFileName(Path.GetFileName(file), out var t) ? t : null);
                var result = segmenter.Segment(image, imageId, type);
                detections.AddRange(result.Instances);
                cells += result.Instances.Count;
                var rles = result.Instances.Select(d => ((RleSegmentation)d.Segmentation!).Rle).ToList();
                await GrayImageIO.WritePngAsync(MaskImage(result.Mask), Path.Combine(outDir, name + ".mask.png"), cancellationToken).ConfigureAwait(false);
                await GrayImageIO.WritePngAsync(LabelImage(rles, image.Height, image.Width), Path.Combine(outDir, name + ".labels.png"), cancellationToken).ConfigureAwait(false);
                var truth = gt?.AnnotationsOf(imageId).Select(a => a.Segmentation.ToRle(image.Height, image.Width)).ToList() ?? [];
                await OverlaySheet.WritePngAsync([new OverlayPanel(image, truth, rles)], Path.Combine(outDir, name + ".overlay.png"), cancellationToken).ConfigureAwait(false);
            }

            progress.Report(($"segmenting {files.Count} images", 1));
            await CocoWriter.WriteDetectionsAsync(detections, Path.Combine(outDir, "predictions.json"), cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

        console.MarkupLineInterpolated($"{files.Count} images, {cells} cells → {Path.GetFullPath(outDir)} (masks, labels, overlays, predictions.json)");
        if (gt is not null)
        {
            console.MarkupLineInterpolated($"score them: cellsegflows eval --gt {settings.GroundTruth} --pred {Path.Combine(outDir, "predictions.json")}");
        }

        return 0;
    }

    private static List<string> Expand(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(input))
            {
                files.Add(input);
            }
            else
            {
                throw new UserInputException($"{input}: no such image file or folder");
            }
        }

        return files;
    }

    private static GrayImage MaskImage(BinaryMask mask)
    {
        var pixels = new byte[mask.Width * mask.Height];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = mask.Data[i] != 0 ? (byte)255 : (byte)0;
        }

        return new GrayImage(mask.Width, mask.Height, pixels);
    }

    private static GrayImage LabelImage(IReadOnlyList<Rle> instances, int height, int width)
    {
        if (instances.Count > ushort.MaxValue)
        {
            throw new UserInputException($"{instances.Count} instances do not fit a 16-bit label image");
        }

        var labels = MaskConversion.ToLabels(instances, height, width);
        return new GrayImage(width, height, labels.Select(l => (ushort)l).ToArray());
    }
}
