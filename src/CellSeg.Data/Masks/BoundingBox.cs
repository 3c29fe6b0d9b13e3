namespace CellSeg.Data.Masks;

/// <summary>An axis-aligned box in COCO's [x, y, width, height] form, in pixels.</summary>
public readonly record struct BoundingBox(double X, double Y, double Width, double Height)
{
    /// <summary>Width × height, the area pycocotools gives box results.</summary>
    public double Area => Width * Height;

    /// <summary>
    /// Box IoU exactly as pycocotools' <c>bbIou</c>: for a crowd ground truth the union is the
    /// detection's area; boxes that only touch give 0.
    /// </summary>
    public static double Iou(in BoundingBox dt, in BoundingBox gt, bool gtIsCrowd)
    {
        var ga = gt.Width * gt.Height;
        var da = dt.Width * dt.Height;
        var w = Math.Min(dt.Width + dt.X, gt.Width + gt.X) - Math.Max(dt.X, gt.X);
        if (w <= 0)
        {
            return 0;
        }

        var h = Math.Min(dt.Height + dt.Y, gt.Height + gt.Y) - Math.Max(dt.Y, gt.Y);
        if (h <= 0)
        {
            return 0;
        }

        var i = w * h;
        var u = gtIsCrowd ? da : da + ga - i;
        return i / u;
    }

    /// <summary>The box as the four numbers COCO JSON stores.</summary>
    public double[] ToArray() => [X, Y, Width, Height];
}
