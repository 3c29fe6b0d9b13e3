namespace CellSeg.Synthesis;

/// <summary>
/// One real cell cut out of a real image: the image patch inside the annotation's bounding box and
/// the annotation's mask over that patch, both row-major.
/// </summary>
/// <param name="CellType">The cell line, from the source image's file name.</param>
/// <param name="Width">Patch width in pixels.</param>
/// <param name="Height">Patch height in pixels.</param>
/// <param name="Pixels">8-bit gray values of the patch (width × height); only pixels under the mask are ever pasted.</param>
/// <param name="Mask">1 where the cell is, 0 elsewhere (width × height).</param>
/// <param name="Area">Number of mask pixels.</param>
/// <param name="SourceImageId">The image it was cut from.</param>
/// <param name="SourceAnnotationId">The annotation it was cut along.</param>
public sealed record BankCell(string CellType, int Width, int Height, byte[] Pixels, byte[] Mask, int Area, long SourceImageId, long SourceAnnotationId)
{
    /// <summary>The cell's halo ring from its source image (see <see cref="CellBankOptions.HaloWidth"/>); null: none was cut.</summary>
    public CellHalo? Halo { get; init; }

    /// <summary>
    /// 16 mask pixels spread evenly over the cell, as (x, y) offsets from the patch centre in half pixels:
    /// before a cell is rasterised, these are rotated forward to turn down crowded positions cheaply.
    /// </summary>
    internal int[] Probes { get; } = PickProbes(Mask, Area, Width, Height);

    private static int[] PickProbes(byte[] mask, int area, int width, int height)
    {
        var count = Math.Min(16, area);
        if (count == 0 || mask.Length != width * height)
        {
            return [];
        }

        // The mask pixels numbered (2j + 1)·area / (2·count) in raster order.
        var probes = new int[2 * count];
        var seen = 0;
        var next = 0;
        for (var i = 0; i < mask.Length && next < count; i++)
        {
            if (mask[i] == 0)
            {
                continue;
            }

            if (seen == (int)((2L * next + 1) * area / (2 * count)))
            {
                probes[2 * next] = 2 * (i % width) + 1 - width;
                probes[2 * next + 1] = 2 * (i / width) + 1 - height;
                next++;
            }

            seen++;
        }

        return probes;
    }
}
