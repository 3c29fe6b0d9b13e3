using CellSeg.Data;
using CellSeg.Data.Coco;
using CellSeg.Data.Livecell;

namespace CellSeg.Models.Data;

/// <summary>The image file of a COCO record, for the datasets that read images for training and inference.</summary>
internal static class ImageFiles
{
    /// <summary>The record's file in <paramref name="folder"/>, found as <see cref="LivecellLayout.TryResolveImageIn"/> says.</summary>
    /// <exception cref="DataFormatException">No such file (names the annotation file, the record and the paths tried).</exception>
    public static string Resolve(string folder, CocoImage image, string annotationsPath)
    {
        var tried = new List<string>();
        return LivecellLayout.TryResolveImageIn(folder, image.FileName, out var path, tried)
            ? path
            : throw new DataFormatException(annotationsPath, $"image {image.Id} ({image.FileName})",
                $"image file not found; looked for {string.Join(", ", tried)}");
    }
}
