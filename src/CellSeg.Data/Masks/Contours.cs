namespace CellSeg.Data.Masks;

/// <summary>
/// Outlines of the pieces of a mask as COCO polygons: one polygon per 8-connected component,
/// traced along the pixel edges of its outer boundary.
/// </summary>
/// <remarks>
/// <para>
/// Vertices sit on pixel corners (integer coordinates): pixel (x, y) is the unit square from (x, y)
/// to (x + 1, y + 1), and only the corners where the outline turns are kept. This is the placement
/// for which <see cref="Rle.FromPolygon"/> (pycocotools' <c>rleFrPoly</c>) gives back exactly the
/// component's pixels, and the reason is how that rasteriser samples. It scales vertices by 5 and
/// rounds them, traces the outline on that grid, and lets pixel column c take a crossing only
/// where the trace steps between fine columns 5c + 2 and 5c + 3, that is at x = c + 0.5; a crossing on
/// a fine row v starts or ends the run at row ceil((v + 0.5) / 5 − 0.5). Together a pixel is inside
/// when its centre (x + 0.5, y + 0.5) is. An outline along pixel edges keeps every pixel centre half a
/// pixel away from it, so every pixel lands on the side it belongs to.
/// </para>
/// <para>
/// Worked out from those two rules, any common shift of the corners by δ in [−0.5, 0.5) on either
/// axis still rasterises to the same pixels, and the tests check shifts across that range; the corners
/// (δ = 0) sit in the middle of it, so float noise or JSON rounded to two decimals cannot flip a pixel.
/// Pixel centres, as OpenCV's <c>findContours</c> returns them, are out of range: their left and top
/// edges sit at δ = +0.5, so the component loses its left column and top row of boundary pixels
/// (a 3×3 square comes back as 2×2). Pixel-edge midpoints (corners cut at 45°) also rasterise back
/// exactly, but need a vertex per unit of perimeter instead of one per turn. With corners the
/// polygon's shoelace area, which COCO and LIVECell store as <c>area</c>, equals the pixel count.
/// </para>
/// <para>
/// Where two pixels of a component touch only at a corner, the outline passes through that corner
/// twice, keeping them in one polygon; pycocotools' even-odd fill handles the self-touching outline.
/// Holes are not traced: the outer outline encloses them, so a component with holes rasterises back
/// with its holes filled. A hole here is background that is not 4-connected to the outside of the
/// component, the counterpart of 8-connected foreground.
/// </para>
/// </remarks>
public static class Contours
{
    // Directions in image coordinates (y down): east, south, west, north. +1 turns right (clockwise on screen).
    private static readonly int[] StepX = [1, 0, -1, 0];
    private static readonly int[] StepY = [0, 1, 0, -1];

    /// <summary>
    /// The outer outline of every 8-connected component, as [x1, y1, x2, y2, …] with integer pixel-corner
    /// coordinates, not closed (the last vertex is not repeated), clockwise on screen. Components come in the
    /// raster order of their first pixel. Each polygon has at least four vertices, so COCO readers never
    /// mistake it for a box.
    /// </summary>
    public static IReadOnlyList<double[]> OuterPolygons(BinaryMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var components = ComponentLabels.Find(mask);
        var polygons = new List<double[]>(components.Count);
        foreach (var first in components.FirstPixels)
        {
            polygons.Add(TraceOuter(mask, first % mask.Width, first / mask.Width));
        }

        return polygons;
    }

    /// <summary>
    /// Follows the boundary with the component on the right, starting on the top edge of its first
    /// pixel (nothing of the component lies above it, so that edge is on the outer boundary).
    /// </summary>
    private static double[] TraceOuter(BinaryMask mask, int x0, int y0)
    {
        var vertices = new List<double> { x0, y0 };
        int cx = x0, cy = y0, direction = 0;
        while (true)
        {
            cx += StepX[direction];
            cy += StepY[direction];
            if (cx == x0 && cy == y0)
            {
                break;
            }

            // The two pixels ahead of corner (cx, cy), on the left and right of the direction of travel.
            var (leftX, leftY, rightX, rightY) = direction switch
            {
                0 => (cx, cy - 1, cx, cy),
                1 => (cx, cy, cx - 1, cy),
                2 => (cx - 1, cy, cx - 1, cy - 1),
                _ => (cx - 1, cy - 1, cx, cy - 1),
            };

            // Turning left whenever the left pixel is set keeps diagonal neighbours in the
            // component (8-connectivity); otherwise go straight along a set right pixel, or turn right.
            int next;
            if (IsSet(mask, leftX, leftY))
            {
                next = (direction + 3) & 3;
            }
            else if (IsSet(mask, rightX, rightY))
            {
                next = direction;
            }
            else
            {
                next = (direction + 1) & 3;
            }

            if (next != direction)
            {
                vertices.Add(cx);
                vertices.Add(cy);
                direction = next;
            }
        }

        return [.. vertices];
    }

    private static bool IsSet(BinaryMask mask, int x, int y) =>
        (uint)x < (uint)mask.Width && (uint)y < (uint)mask.Height && mask.Data[y * mask.Width + x] != 0;
}
