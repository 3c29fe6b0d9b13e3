using CellSeg.Metrics.Coco;

namespace CellSeg.Metrics.Reports;

/// <summary>
/// The result of evaluating a predictions file against a ground-truth file: the whole set, then one
/// row per cell type (as the paper's and LIVECell's tables do).
/// </summary>
public sealed record EvaluationReport
{
    /// <summary>Ground-truth file.</summary>
    public required string GroundTruthPath { get; init; }

    /// <summary>Predictions file.</summary>
    public required string PredictionsPath { get; init; }

    /// <summary>Parameters used.</summary>
    public required CocoEvalParams Params { get; init; }

    /// <summary>Detections scoring at least this are painted into the semantic mask for F1.</summary>
    public double SemanticScoreThreshold { get; init; }

    /// <summary>The whole set.</summary>
    public required EvaluationRow Overall { get; init; }

    /// <summary>One row per cell type, by name.</summary>
    public required IReadOnlyList<EvaluationRow> PerGroup { get; init; }

    /// <summary>Records skipped in lenient mode, per file.</summary>
    public IReadOnlyList<string> SkippedRecords { get; init; } = [];
}
