using CellSeg.Data.Masks;

namespace CellSeg.Data.Coco;

/// <summary>The <c>segmentation</c> of an annotation or a result: polygons or a run-length encoding.</summary>
public abstract record Segmentation
{
    /// <summary>The mask as pycocotools' <c>annToRLE</c> makes it for an image of the given size.</summary>
    public abstract Rle ToRle(int height, int width);
}

/// <summary>One or more polygons [x1, y1, x2, y2, …]; the mask is their union.</summary>
public sealed record PolygonSegmentation(IReadOnlyList<double[]> Polygons) : Segmentation
{
    /// <inheritdoc />
    public override Rle ToRle(int height, int width) => Rle.FromPolygons(Polygons, height, width);

    /// <summary>Number of vertices over all polygons.</summary>
    public int VertexCount => Polygons.Sum(p => p.Length / 2);
}

/// <summary>A run-length encoded mask (written compressed, as COCO results files hold it).</summary>
public sealed record RleSegmentation(Rle Rle) : Segmentation
{
    /// <inheritdoc />
    public override Rle ToRle(int height, int width) => Rle;
}
