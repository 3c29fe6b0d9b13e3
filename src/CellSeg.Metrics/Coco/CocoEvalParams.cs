namespace CellSeg.Metrics.Coco;

/// <summary>
/// The settings of one COCO evaluation, with pycocotools' defaults and the LIVECell authors' settings
/// as presets. All defaults live here.
/// </summary>
public sealed record CocoEvalParams
{
    /// <summary>Masks or boxes.</summary>
    public IouType IouType { get; init; } = IouType.Segm;

    /// <summary>IoU thresholds; default the exact doubles of <c>np.linspace(.5, .95, 10)</c>.</summary>
    public IReadOnlyList<double> IouThresholds { get; init; } = Linspace(0.5, 0.95, 10);

    /// <summary>Recall points of the interpolated precision; default the 101 doubles of <c>np.linspace(0, 1, 101)</c>.</summary>
    public IReadOnlyList<double> RecallThresholds { get; init; } = Linspace(0.0, 1.0, 101);

    /// <summary>Detections per image considered, ascending; AP uses the last. COCO default 1, 10, 100.</summary>
    public IReadOnlyList<int> MaxDetections { get; init; } = [1, 10, 100];

    /// <summary>all, small, medium, large; COCO default splits at 32² and 96².</summary>
    public IReadOnlyList<AreaRange> AreaRanges { get; init; } =
    [
        new("all", 0, 1e10),
        new("small", 0, 32 * 32),
        new("medium", 32 * 32, 96 * 96),
        new("large", 96 * 96, 1e10),
    ];

    /// <summary>Match only within the same category (COCO default). LIVECell evaluates class-agnostically.</summary>
    public bool UseCategories { get; init; } = true;

    /// <summary>Images to evaluate; null means every ground-truth image.</summary>
    public IReadOnlyList<long>? ImageIds { get; init; }

    /// <summary>Categories to evaluate; null means every ground-truth category.</summary>
    public IReadOnlyList<int>? CategoryIds { get; init; }

    /// <summary>Short name of the preset these parameters came from.</summary>
    public string Preset { get; init; } = "coco";

    /// <summary>pycocotools' <c>Params(iouType)</c> defaults.</summary>
    public static CocoEvalParams Coco(IouType iouType) => new() { IouType = iouType, Preset = "coco" };

    /// <summary>
    /// The LIVECell authors' evaluation (their <c>coco_evaluation.py</c>): class-agnostic, up to 2,000
    /// detections per image (maxDets 100, 500, 2000; LIVECell images hold up to ~2,000 cells, so COCO's
    /// cap of 100 would hide most of them), and size buckets at 18² and 31² pixels for small cells.
    /// AP and AFNR are read at 2,000 detections.
    /// </summary>
    public static CocoEvalParams Livecell(IouType iouType) => new()
    {
        IouType = iouType,
        Preset = "livecell",
        UseCategories = false,
        MaxDetections = [100, 500, 2000],
        AreaRanges =
        [
            new("all", 0, 1e10),
            new("small", 0, 18 * 18),
            new("medium", 18 * 18, 31 * 31),
            new("large", 31 * 31, 1e10),
        ],
    };

    /// <summary>A preset by name: "livecell" or "coco".</summary>
    public static CocoEvalParams FromPreset(string name, IouType iouType) => name.ToLowerInvariant() switch
    {
        "livecell" => Livecell(iouType),
        "coco" => Coco(iouType),
        _ => throw new ArgumentException($"unknown preset '{name}'; use livecell or coco", nameof(name)),
    };

    /// <summary>
    /// numpy's <c>linspace</c> as doubles: start + i·step, with the last value set to stop, so that
    /// thresholds compare exactly as in pycocotools (0.8999999999999999, not 0.9).
    /// </summary>
    public static double[] Linspace(double start, double stop, int count)
    {
        var values = new double[count];
        if (count == 1)
        {
            values[0] = start;
            return values;
        }

        var step = (stop - start) / (count - 1);
        for (var i = 0; i < count; i++)
        {
            values[i] = start + i * step;
        }

        values[^1] = stop;
        return values;
    }
}
