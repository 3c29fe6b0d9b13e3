namespace CellSeg.Data.Coco;

/// <summary>One entry of a COCO file's <c>images</c> list.</summary>
/// <param name="Id">The image id that annotations point to (any 64-bit number; LIVECell ids are not contiguous).</param>
/// <param name="FileName">The <c>file_name</c> field, e.g. <c>A172_Phase_C7_1_00d20h00m_4.tif</c>.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public sealed record CocoImage(long Id, string FileName, int Width, int Height)
{
    /// <summary>Fields this project does not interpret (e.g. LIVECell's <c>original_filename</c>, <c>url</c>), kept as raw JSON so a written file keeps them.</summary>
    public IReadOnlyDictionary<string, string>? ExtraJson { get; init; }
}
