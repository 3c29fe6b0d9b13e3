using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Livecell;
using CellSeg.Metrics.Binary;
using CellSeg.Metrics.Coco;

namespace CellSeg.Metrics.Reports;

/// <summary>Options of <see cref="Evaluation.RunAsync"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Masks or boxes (used with <see cref="Preset"/> when <see cref="Params"/> is not given).</summary>
    public IouType IouType { get; init; } = IouType.Segm;

    /// <summary>"livecell" or "coco"; null picks livecell when the images carry LIVECell file names, else coco.</summary>
    public string? Preset { get; init; }

    /// <summary>Full parameters; overrides <see cref="IouType"/> and <see cref="Preset"/>.</summary>
    public CocoEvalParams? Params { get; init; }

    /// <summary>Names the group (cell type) of an image, or null to leave it out of the per-group rows. Null: no per-group rows.</summary>
    public Func<CocoImage, string?>? GroupOf { get; init; }

    /// <summary>Score a detection needs to count in the semantic (F1) mask.</summary>
    public double SemanticScoreThreshold { get; init; } = 0.5;

    /// <summary>Skip bad records instead of stopping.</summary>
    public bool Lenient { get; init; }

    /// <summary>Size limits of both files (image side, pixels, objects per image), checked while they are read.</summary>
    public CocoReadOptions ReadLimits { get; init; } = CocoReadOptions.Default;

    /// <summary>Receives a phase name and a fraction done in [0, 1].</summary>
    public IProgress<(string Phase, double Fraction)>? Progress { get; init; }
}

/// <summary>
/// Ground-truth file + predictions file → an <see cref="EvaluationReport"/>: COCO AP/AR/AFNR exactly
/// as pycocotools, and for masks the semantic F1 of the union masks, overall and per group.
/// </summary>
public static class Evaluation
{
    /// <summary>Reads both files, evaluates, and accumulates the whole set and each group.</summary>
    public static async Task<EvaluationReport> RunAsync(string groundTruthPath, string predictionsPath, EvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EvaluationOptions();
        var progress = options.Progress;
        var iouType = options.Params?.IouType ?? options.IouType;
        var gtRead = options.ReadLimits with
        {
            Lenient = options.Lenient,
            Progress = progress is null ? null : new SyncProgress<ReadProgress>(r => progress.Report(("reading ground truth", r.TotalBytes == 0 ? 1 : (double)r.BytesRead / r.TotalBytes))),
        };
        var gt = await EvalGroundTruth.LoadAsync(groundTruthPath, iouType, gtRead, cancellationToken).ConfigureAwait(false);
        var p = options.Params ?? CocoEvalParams.FromPreset(options.Preset ?? (IsLivecell(gt) ? "livecell" : "coco"), iouType);
        var dtRead = options.ReadLimits with
        {
            Lenient = options.Lenient,
            Progress = progress is null ? null : new SyncProgress<ReadProgress>(r => progress.Report(("reading predictions", r.TotalBytes == 0 ? 1 : (double)r.BytesRead / r.TotalBytes))),
        };
        var results = await CocoReader.LoadDetectionsAsync(predictionsPath, null, dtRead, cancellationToken).ConfigureAwait(false);
        progress?.Report(("preparing predictions", 0));
        var unusable = options.Lenient ? new System.Collections.Concurrent.ConcurrentQueue<string>() : null;
        var dt = EvalDetections.Prepare(results, gt, p.IouType, unusable);
        var images = gt.Images.Count;
        var evaluator = CocoEvaluator.Evaluate(gt, dt, p, progress is null ? null : new SyncProgress<int>(n => progress.Report(("matching", (double)n / images))), cancellationToken);
        progress?.Report(("accumulating", 0));
        IReadOnlyDictionary<long, BinaryCounts>? semantic = p.IouType == IouType.Segm
            ? InstancesToSemantic.Compare(gt, dt, options.SemanticScoreThreshold, p.MaxDetections[^1], evaluator.ImageIds)
            : null;

        EvaluationRow Row(string name, IReadOnlyCollection<long> ids)
        {
            var summary = evaluator.Accumulate(ids);
            var idx = ids.Select(gt.IndexOf).ToArray();
            return new EvaluationRow(
                name,
                ids.Count,
                idx.Sum(i => gt.ObjectsByImage[i].Count(o => p.CategoryIds is null || p.CategoryIds.Contains(o.CategoryId))),
                idx.Sum(i => dt.ObjectsByImage[i].Count),
                summary,
                semantic is null ? null : SemanticScores.From(ids.Select(id => semantic[id]).ToArray()));
        }

        var allIds = evaluator.ImageIds;
        var overall = Row("all", allIds);
        var groups = new List<EvaluationRow>();
        if (options.GroupOf is { } groupOf)
        {
            var byGroup = allIds
                .Select(id => (Id: id, Group: groupOf(gt.Images[gt.IndexOf(id)])))
                .Where(x => x.Group is not null)
                .GroupBy(x => x.Group!, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase);
            foreach (var g in byGroup)
            {
                groups.Add(Row(g.Key, g.Select(x => x.Id).ToArray()));
            }
        }

        progress?.Report(("done", 1));
        var skipped = gt.Issues.Select(i => $"{groundTruthPath}: {i}")
            .Concat(results.Issues.Select(i => $"{predictionsPath}: {i}"))
            .Concat((unusable ?? []).Select(i => $"{predictionsPath}: {i}"))
            .ToArray();
        return new EvaluationReport
        {
            GroundTruthPath = groundTruthPath,
            PredictionsPath = predictionsPath,
            Params = p,
            SemanticScoreThreshold = options.SemanticScoreThreshold,
            Overall = overall,
            PerGroup = groups,
            SkippedRecords = skipped,
        };
    }

    /// <summary>True when the images have LIVECell names (<c>&lt;CellType&gt;_Phase_…</c>), so LIVECell's evaluation settings apply.</summary>
    public static bool IsLivecell(EvalGroundTruth gt)
    {
        ArgumentNullException.ThrowIfNull(gt);
        return gt.Images.Count > 0 && gt.Images.All(i => CellTypes.TryFromFileName(i.FileName, out _));
    }
}
