using CellSeg.Data.Coco;

namespace CellSeg.Bench.Parse;

/// <summary>Keeps nothing but counts: what a streaming parse costs before anyone uses the records.</summary>
internal sealed class CountingSink : ICocoRecordSink
{
    public long Images { get; private set; }

    public long Annotations { get; private set; }

    public long Polygons { get; private set; }

    public long Vertices { get; private set; }

    public void OnOtherField(string name, string rawJson)
    {
    }

    public void OnImage(CocoImage image) => Images++;

    public void OnCategory(CocoCategory category)
    {
    }

    public void OnAnnotation(CocoAnnotation annotation)
    {
        Annotations++;
        if (annotation.Segmentation is PolygonSegmentation polygons)
        {
            Polygons += polygons.Polygons.Count;
            Vertices += polygons.VertexCount;
        }
    }
}
