namespace CellSeg.Metrics.RunReports;

/// <summary>A training history file of one model (TrainUNet's or FinetuneCenterMask's <c>history</c> CSV).</summary>
/// <param name="Model">The model's name in the report.</param>
/// <param name="Path">The CSV.</param>
public sealed record HistorySource(string Model, string Path);

/// <summary>What an overlay of one instance model is drawn from: its COCO results and the ground truth with its images.</summary>
/// <param name="Model">The model's name in the report.</param>
/// <param name="GroundTruthPath">COCO ground truth of the evaluated split.</param>
/// <param name="PredictionsPaths">The model's COCO results on it (one file, or one per image).</param>
/// <param name="ImagePath">The path of an image by its file name in the ground truth, or null when the run does not hold it.</param>
public sealed record OverlaySource(string Model, string GroundTruthPath, IReadOnlyList<string> PredictionsPaths, Func<string, string?> ImagePath);

/// <summary>
/// What an overlay of one semantic model (a U-Net) is drawn from: its binary masks of the evaluated images, whose
/// 8-connected components stand for its cells, and the ground truth with its images.
/// </summary>
/// <param name="Model">The model's name in the report.</param>
/// <param name="GroundTruthPath">COCO ground truth of the evaluated split.</param>
/// <param name="MaskPath">The path of an image's mask PNG (non-zero: cell) by the image's file name, or null when the model kept none.</param>
/// <param name="ImagePath">The path of an image by its file name in the ground truth, or null when the run does not hold it.</param>
public sealed record SemanticOverlaySource(string Model, string GroundTruthPath, Func<string, string?> MaskPath, Func<string, string?> ImagePath);

/// <summary>A PNG made by a step of the run (a PCA plot, a synthetic preview sheet), shown as it is.</summary>
/// <param name="Name">What it shows, in a few words (e.g. "original and extended"); its figure id is made from it.</param>
/// <param name="Path">The PNG.</param>
public sealed record PictureSource(string Name, string Path);

/// <summary>One step of a run, for the Gantt chart.</summary>
/// <param name="Label">Node id, with <c>[mapIndex]</c> for a map element.</param>
/// <param name="Activity">The activity it ran.</param>
/// <param name="Queue">The queue it ran on (cpu, gpu).</param>
/// <param name="Worker">The worker that ran it, or null.</param>
/// <param name="Device">The device of a gpu-queue step, or null.</param>
/// <param name="Status">Its final status.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="FinishedAt">When it finished (null: still running or never finished).</param>
public sealed record StepTiming(string Label, string Activity, string Queue, string? Worker, string? Device, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

/// <summary>Everything a run report is built from; each part may be empty, and the report says what is missing.</summary>
public sealed record RunReportSources
{
    /// <summary>The report's title (e.g. the workflow id and run id).</summary>
    public string Title { get; init; } = "Run report";

    /// <summary>The run's id, or null outside the engine.</summary>
    public string? RunId { get; init; }

    /// <summary>EvaluateSemantic reports (<c>semantic.json</c>): pooled F1 per model and cell type.</summary>
    public IReadOnlyList<string> SemanticReports { get; init; } = [];

    /// <summary>EvaluateInstances reports (<c>report.json</c>): AP, AFNR, F1 of union masks, per cell type, with PR curves.</summary>
    public IReadOnlyList<string> InstanceReports { get; init; } = [];

    /// <summary>The model name of an instance report that holds one unnamed model; default "instances".</summary>
    public IReadOnlyList<string> InstanceReportNames { get; init; } = [];

    /// <summary>Training histories.</summary>
    public IReadOnlyList<HistorySource> Histories { get; init; } = [];

    /// <summary>Instance models to draw mask overlays of.</summary>
    public IReadOnlyList<OverlaySource> Overlays { get; init; } = [];

    /// <summary>Semantic models to draw mask overlays of (their masks' connected components as cells).</summary>
    public IReadOnlyList<SemanticOverlaySource> SemanticOverlays { get; init; } = [];

    /// <summary>The models to overlay, in order (names of <see cref="Overlays"/> and <see cref="SemanticOverlays"/>); empty: all, semantic first.</summary>
    public IReadOnlyList<string> OverlayModels { get; init; } = [];

    /// <summary>PCA scatter plots of the datasets (DatasetPca's <c>plot</c>; the paper's Figures 1–2).</summary>
    public IReadOnlyList<PictureSource> PcaPlots { get; init; } = [];

    /// <summary>Synthetic preview sheets (GenerateSynthetic's <c>preview</c>; the paper's Figure 4).</summary>
    public IReadOnlyList<PictureSource> SyntheticPreviews { get; init; } = [];

    /// <summary>The run's budget in a line (e.g. "smoke: plumbing check ..."), or null.</summary>
    public string? Budget { get; init; }

    /// <summary>The run's steps.</summary>
    public IReadOnlyList<StepTiming> Steps { get; init; } = [];

    /// <summary>What the steps section says when <see cref="Steps"/> is empty; default: the report was built outside a run.</summary>
    public string? StepsMissing { get; init; }

    /// <summary>Overlay images per cell type and model (1–8).</summary>
    public int OverlayImagesPerCellType { get; init; } = 2;

    /// <summary>Detections scoring at least this are drawn in overlays.</summary>
    public double OverlayScoreThreshold { get; init; } = 0.5;

    /// <summary>Longest side of an overlay panel in pixels (larger images are shrunk), 64–1024.</summary>
    public int OverlayMaxSide { get; init; } = 320;
}
