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
public sealed record BankCell(string CellType, int Width, int Height, byte[] Pixels, byte[] Mask, int Area, long SourceImageId, long SourceAnnotationId);
