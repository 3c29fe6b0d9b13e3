namespace CellSeg.Metrics.Coco;

/// <summary>What is compared when matching detections to ground truth.</summary>
public enum IouType
{
    /// <summary>Masks (instance segmentation).</summary>
    Segm,

    /// <summary>Boxes (detection).</summary>
    Bbox,
}
