using CellSeg.Data.Coco;

namespace CellSeg.Bench.Eval;

/// <summary>LIVECell's cell type of an image: its file name up to the first '_' (A172, BT474, …).</summary>
internal static class CellTypes
{
    public static string Of(CocoImage image) => Of(image.FileName);

    public static string Of(string fileName)
    {
        var cut = fileName.IndexOf('_', StringComparison.Ordinal);
        return cut > 0 ? fileName[..cut] : fileName;
    }

    /// <summary>Image ids per cell type, types in ordinal order.</summary>
    public static SortedDictionary<string, List<long>> Group(IEnumerable<CocoImage> images)
    {
        var groups = new SortedDictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            var type = Of(image);
            if (!groups.TryGetValue(type, out var ids))
            {
                groups[type] = ids = [];
            }

            ids.Add(image.Id);
        }

        return groups;
    }
}
