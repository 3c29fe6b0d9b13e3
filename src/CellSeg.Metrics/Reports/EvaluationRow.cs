using CellSeg.Metrics.Binary;
using CellSeg.Metrics.Coco;

namespace CellSeg.Metrics.Reports;

/// <summary>One row of an evaluation table: the whole set, or one cell type.</summary>
/// <param name="Name">"all" or the cell type.</param>
/// <param name="ImageCount">Images in the row.</param>
/// <param name="GroundTruthCount">Ground-truth objects.</param>
/// <param name="DetectionCount">Detections.</param>
/// <param name="Coco">AP, AR, AFNR.</param>
/// <param name="Semantic">F1/Dice of the union masks (segm only).</param>
public sealed record EvaluationRow(string Name, int ImageCount, int GroundTruthCount, int DetectionCount, CocoEvalSummary Coco, SemanticScores? Semantic);
