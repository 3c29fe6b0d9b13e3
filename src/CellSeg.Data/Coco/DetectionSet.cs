namespace CellSeg.Data.Coco;

/// <summary>The detections of a results file, in file order, and the records lenient reading skipped.</summary>
public sealed record DetectionSet(string SourcePath, IReadOnlyList<CocoDetection> Detections, IReadOnlyList<ReadIssue> Issues);
