using CellSeg.Metrics.Coco;

namespace CellSeg.Bench.Eval;

/// <summary>The headline numbers of one accumulation.</summary>
internal sealed record Scores(double AP, double AP50, double AP75, double APs, double APm, double APl, double AR100, double AR500, double AR2000, double AFNR)
{
    public static Scores Of(CocoEvalSummary s) => new(
        s.AP, s.AP50, s.AP75, s.APs, s.APm, s.APl,
        s.AR.GetValueOrDefault(100, -1), s.AR.GetValueOrDefault(500, -1), s.AR.GetValueOrDefault(2000, -1), s.AFNR);

    public IEnumerable<(string Name, double Value)> Named() =>
    [
        ("AP", AP), ("AP50", AP50), ("AP75", AP75), ("APs", APs), ("APm", APm), ("APl", APl),
        ("AR@100", AR100), ("AR@500", AR500), ("AR@2000", AR2000), ("AFNR", AFNR),
    ];
}

/// <summary>One cell type: its images and its scores on the sample and on the tiled set, with and without score ties.</summary>
internal sealed record CellTypeFigures(string CellType, int SampleImages, int TiledImages, Scores Sample, Scores Tiled, Scores SampleTieFree, Scores TiledTieFree);

/// <summary>What the eval child reports: the timed stages, and (first run only) the untimed "identical numbers" check.</summary>
internal sealed record EvalFigures
{
    public required double GroundTruthS { get; init; }

    public required double DetectionsLoadS { get; init; }

    public required double DetectionsPrepareS { get; init; }

    public required double EvaluateS { get; init; }

    public required double AccumulateS { get; init; }

    public required double AccumulateCellTypesS { get; init; }

    /// <summary>Seconds of each cell type's accumulation.</summary>
    public required IReadOnlyDictionary<string, double> CellTypeS { get; init; }

    public required double TotalS { get; init; }

    public required double CpuS { get; init; }

    public required long PeakBytes { get; init; }

    public required int Images { get; init; }

    public required long GroundTruthObjects { get; init; }

    public required long Detections { get; init; }

    public required int MaxDetectionsPerImage { get; init; }

    /// <summary>Σ over images of ground truths × detections: the candidate pairs matching looks at.</summary>
    public required long Pairs { get; init; }

    public required Scores Tiled { get; init; }

    public EvalCheck? Check { get; init; }

    public int Cores { get; init; }
}

/// <summary>The tiled set against the 15-image sample it copies, as evaluated and with score ties broken.</summary>
internal sealed record EvalCheck
{
    public required Scores Sample { get; init; }

    public required Scores Tiled { get; init; }

    public required Scores SampleTieFree { get; init; }

    public required Scores TiledTieFree { get; init; }

    /// <summary>pycocotools' AP for the sample (ref_noisy.json), when the file exists.</summary>
    public double? ReferenceAP { get; init; }

    public required int SampleDetections { get; init; }

    /// <summary>Sample detections whose score another sample detection shares.</summary>
    public required int TiedSampleDetections { get; init; }

    public required IReadOnlyList<CellTypeFigures> CellTypes { get; init; }
}
