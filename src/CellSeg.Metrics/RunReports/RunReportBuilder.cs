using CellSeg.Data.Coco;
using CellSeg.Data.Imaging;
using CellSeg.Data.Livecell;
using CellSeg.Data.Masks;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CellSeg.Metrics.RunReports;

/// <summary>
/// Builds a <see cref="RunReport"/> from a run's files: reads the evaluation reports and histories, draws the figures and
/// the overlays. A part the run lacks becomes a note in its section, never a failure; a file that is there but unreadable
/// is an error naming it.
/// </summary>
public static class RunReportBuilder
{
    /// <summary>Most models drawn in overlays (each adds a sheet per cell type).</summary>
    public const int MaxOverlayModels = 8;

    /// <summary>Most prediction files read per overlay model.</summary>
    public const int MaxPredictionFiles = 10_000;

    /// <summary>Most steps in the Gantt chart (the first by start time).</summary>
    public const int MaxGanttSteps = 400;

    /// <summary>Builds the report.</summary>
    /// <exception cref="FormatException">An input file is not what it should be; the message names it.</exception>
    public static async Task<RunReport> BuildAsync(RunReportSources sources, PaperReference? paper = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        paper ??= PaperReference.Load();
        var models = await RunResults.ReadAsync(sources.SemanticReports, sources.InstanceReports, sources.InstanceReportNames, cancellationToken).ConfigureAwait(false);
        var rows = paper.Rows.Select(s => s.Row)
            .Concat(models.SelectMany(m => m.Rows.Keys).Where(k => !paper.Rows.Any(s => s.Row == k)).Distinct(StringComparer.Ordinal).Order(StringComparer.OrdinalIgnoreCase))
            .ToList();
        string Label(string row) => paper.LabelOf(row);
        var sections = new List<ReportSection>();

        sections.Add(await PicturesAsync("pca", "PCA of the original and extended datasets (the paper's Figures 1–2)", "pca", sources.PcaPlots,
            "no dataset PCA (DatasetPca) in this run", cancellationToken).ConfigureAwait(false));
        sections.Add(await PicturesAsync("synthetic", "Synthetic images per density beside a real image (the paper's Figure 4)", "synthetic", sources.SyntheticPreviews,
            "no synthetic images (GenerateSynthetic) in this run", cancellationToken).ConfigureAwait(false));

        var instance = models.Where(m => m.RecallThresholds.Count > 0).ToList();
        const string noInstances = "no instance evaluation (EvaluateInstances) in this run, so no precision–recall or AP-per-IoU data";
        sections.Add(instance.Count == 0
            ? new ReportSection("pr-curves", "Precision–recall per cell type (IoU 0.50 and 0.75)", [], noInstances)
            : new ReportSection("pr-curves", "Precision–recall per cell type (IoU 0.50 and 0.75)",
                [.. instance.SelectMany(m => new[]
                {
                    new ReportFigure($"pr50-{m.Model}", $"{m.Model}: precision against recall at IoU 0.50, per cell type", ReportFigures.PrCurves(m, 0.5, Label)),
                    new ReportFigure($"pr75-{m.Model}", $"{m.Model}: precision against recall at IoU 0.75, per cell type", ReportFigures.PrCurves(m, 0.75, Label)),
                })], null));
        sections.Add(instance.Count == 0
            ? new ReportSection("ap-per-iou", "AP per IoU threshold", [], noInstances)
            : new ReportSection("ap-per-iou", "AP per IoU threshold",
                [.. instance.Select(m => new ReportFigure($"apiou-{m.Model}", $"{m.Model}: AP at each IoU threshold 0.50:0.05:0.95", ReportFigures.ApPerIou(m, Label)))], null));

        var bars = new List<ReportFigure>();
        var barRows = rows.Where(s => models.Any(m => m.Rows.ContainsKey(s))).ToList();
        foreach (var metric in new[] { "F1", "AFNR" })
        {
            if (models.Any(m => m.Rows.Values.Any(s => s.Get(metric) is not null)))
            {
                bars.Add(new ReportFigure($"bars-{metric}", $"{metric} per cell type and model", ReportFigures.Bars(models, metric, barRows, Label)));
            }
        }

        sections.Add(new ReportSection("bars", "F1 and AFNR per cell type", bars,
            bars.Count == 2 ? null : models.Count == 0 ? "no evaluation report in this run" : bars.Count == 0 ? "no F1 or AFNR in the run's reports" : models.Any(m => m.Rows.Values.Any(s => s.Afnr is not null)) ? "no F1 in the run's reports" : "no AFNR: the run has no instance evaluation"));

        var histories = new List<TrainingHistory>();
        foreach (var h in sources.Histories)
        {
            histories.Add(await TrainingHistory.ReadAsync(h.Model, h.Path, cancellationToken).ConfigureAwait(false));
        }

        histories.RemoveAll(h => h.Points.Count == 0);
        var training = new List<ReportFigure>();
        if (histories.Count > 0)
        {
            training.Add(new ReportFigure("training-loss", "training loss against iterations", ReportFigures.Training(histories, "loss")));
            if (histories.Any(h => h.Points.Any(p => p.ValidationF1 is not null)))
            {
                training.Add(new ReportFigure("training-validation", "validation F1 (Dice) against iterations", ReportFigures.Training(histories, "validation F1")));
            }

            training.Add(new ReportFigure("training-lr", "learning rate against iterations, warm-up end and milestones marked", ReportFigures.Training(histories, "learning rate")));
        }

        sections.Add(new ReportSection("training", "Training curves", training,
            histories.Count == 0 ? (sources.Histories.Count == 0 ? "no training history in this run" : "the training histories hold no iteration (nothing was trained)")
            : training.Count < 3 ? "no validation F1 in the histories (no validation row, or CenterMask, which is not validated while training)" : null));

        var overlays = await OverlaysAsync(sources, Label, cancellationToken).ConfigureAwait(false);
        var unet = models.Where(m => m.RecallThresholds.Count == 0).Select(m => m.Model)
            .Where(m => !sources.SemanticOverlays.Any(o => o.Model.Equals(m, StringComparison.OrdinalIgnoreCase))).ToList();
        var nothingToDraw = sources.Overlays.Count == 0 && sources.SemanticOverlays.Count == 0;
        sections.Add(new ReportSection("overlays", "Mask overlays at IoU 0.50 (green: matched, magenta: false positive, yellow: missed)", overlays.Figures,
            string.Join(" ", new[]
            {
                overlays.Figures.Count == 0 ? (nothingToDraw ? "no instance predictions (PredictInstances) or kept U-Net masks in this run to draw." : "no image of the predictions could be drawn.") : null,
                overlays.Notes.Count > 0 ? string.Join(" ", overlays.Notes) : null,
                unet.Count > 0 && sources.OverlayModels.Count == 0 ? $"Semantic models without kept masks ({string.Join(", ", unet)}) have no overlay (EvaluateSemantic's keepMasksPerCellType keeps some)." : null,
            }.Where(s => s is not null)) is { Length: > 0 } note ? note : null));

        var steps = sources.Steps.OrderBy(s => s.StartedAt).Take(MaxGanttSteps).ToList();
        sections.Add(steps.Count == 0
            ? new ReportSection("steps", "Steps of the run", [], sources.StepsMissing ?? "no step timings (the report was built outside a run)")
            : new ReportSection("steps", "Steps of the run", [new ReportFigure("gantt", "a bar per step from start to end, by worker and queue/device", ReportFigures.Gantt(steps, DateTimeOffset.UtcNow))],
                sources.Steps.Count > steps.Count ? $"the first {steps.Count} of {sources.Steps.Count} steps are shown" : null));

        return new RunReport
        {
            Title = sources.Title,
            RunId = sources.RunId,
            Budget = sources.Budget,
            GeneratedAt = DateTimeOffset.UtcNow,
            Paper = paper,
            Rows = rows,
            Models = models,
            Sections = sections,
            Steps = steps,
            TablesMissing = models.Count == 0 ? "no evaluation report (EvaluateSemantic or EvaluateInstances) in this run" : null,
        };
    }

    private static async Task<ReportSection> PicturesAsync(string id, string title, string prefix, IReadOnlyList<PictureSource> pictures, string missing, CancellationToken ct)
    {
        var figures = new List<ReportFigure>();
        foreach (var picture in pictures)
        {
            var png = await File.ReadAllBytesAsync(picture.Path, ct).ConfigureAwait(false);
            if (png.Length < 8 || png[0] != 0x89 || png[1] != (byte)'P' || png[2] != (byte)'N' || png[3] != (byte)'G')
            {
                throw new FormatException($"{picture.Path}: not a PNG ({picture.Name})");
            }

            figures.Add(new ReportFigure($"{prefix}-{FigureName(picture.Name)}", picture.Name, png));
        }

        return new ReportSection(id, title, figures, figures.Count == 0 ? missing : null);
    }

    // A figure id from free text: letters, digits and '-' (runs of anything else become one '-').
    private static string FigureName(string text)
    {
        var chars = new System.Text.StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c))
            {
                chars.Append(c);
            }
            else if (chars.Length > 0 && chars[^1] != '-')
            {
                chars.Append('-');
            }
        }

        return chars.ToString().Trim('-');
    }

    // One drawable model: its name, its ground truth, and its cells on an image (detections, or a mask's components).
    private sealed record OverlayModel(string Model, string GroundTruthPath, Func<string, string?> ImagePath, bool Semantic,
        Func<CocoImage, CancellationToken, Task<IReadOnlyList<(Rle Mask, double Score)>?>> CellsOf, CocoDataset? GroundTruth = null);

    private static async Task<(List<ReportFigure> Figures, List<string> Notes)> OverlaysAsync(RunReportSources sources, Func<string, string> label, CancellationToken ct)
    {
        var figures = new List<ReportFigure>();
        var notes = new List<string>();
        var perType = Math.Clamp(sources.OverlayImagesPerCellType, 1, 8);
        var maxSide = Math.Clamp(sources.OverlayMaxSide, 64, 1024);
        var all = new List<(string Model, Func<Task<OverlayModel>> Load)>();
        foreach (var s in sources.SemanticOverlays)
        {
            all.Add((s.Model, () => Task.FromResult(SemanticModel(s))));
        }

        foreach (var s in sources.Overlays)
        {
            all.Add((s.Model, () => InstanceModelAsync(s, sources.OverlayScoreThreshold, ct)));
        }

        var chosen = new List<(string Model, Func<Task<OverlayModel>> Load)>();
        if (sources.OverlayModels.Count == 0)
        {
            chosen.AddRange(all);
        }
        else
        {
            foreach (var name in sources.OverlayModels)
            {
                var found = all.FirstOrDefault(m => m.Model.Equals(name, StringComparison.OrdinalIgnoreCase));
                if (found.Load is null)
                {
                    notes.Add($"{name} is not in this run.");
                }
                else if (!chosen.Any(c => c.Model.Equals(name, StringComparison.OrdinalIgnoreCase)))
                {
                    chosen.Add(found);
                }
            }
        }

        if (chosen.Count > MaxOverlayModels)
        {
            notes.Add($"overlays of the first {MaxOverlayModels} of {chosen.Count} models are shown.");
            chosen = chosen.Take(MaxOverlayModels).ToList();
        }

        // Each model's sheets by cell type; shown grouped by cell type, the models of one cell type side by side.
        var sheets = new List<(string CellType, int Order, ReportFigure Figure)>();
        for (var k = 0; k < chosen.Count; k++)
        {
            var model = await chosen[k].Load().ConfigureAwait(false);
            var gt = model.GroundTruth ?? await CocoReader.LoadAsync(model.GroundTruthPath, cancellationToken: ct).ConfigureAwait(false);
            var groups = gt.Images
                .GroupBy(i => CellTypes.TryFromFileName(i.FileName, out var t) ? t : "other")
                .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase);
            foreach (var group in groups)
            {
                var panels = new List<Image<Rgb24>>();
                var counts = new List<OverlayCounts>();
                try
                {
                    foreach (var image in group.OrderBy(i => i.FileName, StringComparer.Ordinal).Take(perType))
                    {
                        var file = model.ImagePath(image.FileName);
                        if (file is null || !File.Exists(file))
                        {
                            notes.Add($"{model.Model}: image {image.FileName} is not in the run's images.");
                            continue;
                        }

                        if (await model.CellsOf(image, ct).ConfigureAwait(false) is not { } detections)
                        {
                            notes.Add($"{model.Model}: no mask of image {image.FileName} was kept.");
                            continue;
                        }

                        var pixels = await GrayImageIO.ReadAsync(file, ct).ConfigureAwait(false);
                        var cells = gt.AnnotationsOf(image.Id).Select(a => a.Segmentation.ToRle(image.Height, image.Width)).ToList();
                        var (drawn, c) = MaskOverlay.Render(pixels, cells, detections);
                        panels.Add(drawn);
                        counts.Add(c);
                    }

                    if (panels.Count > 0)
                    {
                        var caption = $"{model.Model} on {label(group.Key)}: {panels.Count} image(s); matched {counts.Sum(c => c.TruePositives)}, false positives {counts.Sum(c => c.FalsePositives)}, missed {counts.Sum(c => c.FalseNegatives)}"
                            + (model.Semantic ? " (cells: the 8-connected components of its mask)" : string.Empty);
                        sheets.Add((group.Key, k, new ReportFigure($"overlay-{model.Model}-{group.Key}", caption, MaskOverlay.SheetPng(panels, maxSide), group.Key)));
                    }
                }
                finally
                {
                    panels.ForEach(p => p.Dispose());
                }
            }
        }

        figures.AddRange(sheets.OrderBy(s => s.CellType, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Order).Select(s => s.Figure));
        return (figures, notes);
    }

    private static OverlayModel SemanticModel(SemanticOverlaySource source) => new(source.Model, source.GroundTruthPath, source.ImagePath, true, async (image, ct) =>
    {
        if (source.MaskPath(image.FileName) is not { } path || !File.Exists(path))
        {
            return null;
        }

        var mask = await GrayImageIO.ReadAsync(path, ct).ConfigureAwait(false);
        if (mask.Width != image.Width || mask.Height != image.Height)
        {
            throw new FormatException($"{path}: mask is {mask.Width}x{mask.Height} but image {image.FileName} is {image.Width}x{image.Height}");
        }

        return MaskOverlay.Cells(mask);
    });

    private static async Task<OverlayModel> InstanceModelAsync(OverlaySource source, double scoreThreshold, CancellationToken ct)
    {
        var gt = await CocoReader.LoadAsync(source.GroundTruthPath, cancellationToken: ct).ConfigureAwait(false);
        var detections = new List<CocoDetection>();
        foreach (var file in source.PredictionsPaths.Take(MaxPredictionFiles))
        {
            detections.AddRange((await CocoReader.LoadDetectionsAsync(file, gt, cancellationToken: ct).ConfigureAwait(false)).Detections);
        }

        var byImage = detections.Where(d => d.Score >= scoreThreshold && d.Segmentation is not null).ToLookup(d => d.ImageId);
        return new OverlayModel(source.Model, source.GroundTruthPath, source.ImagePath, false, (image, _) =>
            Task.FromResult<IReadOnlyList<(Rle Mask, double Score)>?>([.. byImage[image.Id].Select(d => (d.Segmentation!.ToRle(image.Height, image.Width), d.Score))]), gt);
    }
}
