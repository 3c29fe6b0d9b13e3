namespace CellSeg.Synthesis;

/// <summary>
/// Where and how one bank cell was pasted. The mapping is exact integer arithmetic, so anyone can
/// recompute which pixels the cell covers: for a destination pixel (x, y), with dx = x − CenterX and
/// dy = y − CenterY, the source pixel is
/// sx = (Cos·dx + Sin·dy + Width·32768) &gt;&gt; 16 and sy = (−Sin·dx + Cos·dy + Height·32768) &gt;&gt; 16
/// (arithmetic shift, i.e. floor), then sx = Width − 1 − sx when <see cref="Flip"/>; the pixel belongs
/// to the cell when (sx, sy) lies in the patch and the mask is set there. Cos and Sin are the rotation
/// in 16.16 fixed point. Nearest-neighbour sampling keeps every pasted value a real pixel value.
/// </summary>
/// <param name="Cell">The bank cell.</param>
/// <param name="Label">Its label in the label image (1, 2, … in paste order: later cells lie on top).</param>
/// <param name="CenterX">Destination column of the patch centre.</param>
/// <param name="CenterY">Destination row of the patch centre.</param>
/// <param name="Cos">cos θ × 65536, rounded.</param>
/// <param name="Sin">sin θ × 65536, rounded.</param>
/// <param name="Flip">Mirror the patch left–right before rotating.</param>
public readonly record struct CellPlacement(BankCell Cell, int Label, int CenterX, int CenterY, int Cos, int Sin, bool Flip)
{
    /// <summary>Half the width of a box around the centre that surely holds the rotated patch.</summary>
    public int HalfExtentX => (int)(((long)Cell.Width * Math.Abs(Cos) + (long)Cell.Height * Math.Abs(Sin)) >> 17) + 2;

    /// <summary>Half the height of that box.</summary>
    public int HalfExtentY => (int)(((long)Cell.Width * Math.Abs(Sin) + (long)Cell.Height * Math.Abs(Cos)) >> 17) + 2;
}
