namespace CellSeg.Metrics.Coco;

/// <summary>An object-size bucket for AP/AR, in square pixels, bounds inclusive (as pycocotools compares them).</summary>
public sealed record AreaRange(string Label, double Min, double Max);
