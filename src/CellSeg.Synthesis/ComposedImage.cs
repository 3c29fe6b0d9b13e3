namespace CellSeg.Synthesis;

/// <summary>One synthetic image as composed in memory, before it is written.</summary>
public sealed class ComposedImage
{
    internal ComposedImage(int width, int height)
    {
        Width = width;
        Height = height;
        Pixels = new byte[width * height];
        Labels = new ushort[width * height];
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>8-bit gray values, row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>Row-major label image: 0 where the background shows, else the label of the topmost cell (see <see cref="CellPlacement.Label"/>).</summary>
    public ushort[] Labels { get; }

    /// <summary>The cells pasted, in paste order; placement i has label i + 1.</summary>
    public List<CellPlacement> Placements { get; } = [];

    /// <summary>Cells asked for.</summary>
    public int Requested { get; internal set; }

    /// <summary>Cells that found no acceptable position within the attempts allowed.</summary>
    public int Unplaced => Requested - Placements.Count;

    /// <summary>The background used (index into the cell type's backgrounds).</summary>
    public int BackgroundIndex { get; internal set; }

    /// <summary>Bit 0: mirrored left–right; bit 1: mirrored top–bottom.</summary>
    public int BackgroundFlips { get; internal set; }

    /// <summary>Column of the background where the image starts.</summary>
    public int BackgroundOffsetX { get; internal set; }

    /// <summary>Row of the background where the image starts.</summary>
    public int BackgroundOffsetY { get; internal set; }
}
