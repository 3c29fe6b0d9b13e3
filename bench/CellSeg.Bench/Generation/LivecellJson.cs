using CellSeg.Data.Coco;
using CellSeg.Data.Masks;

namespace CellSeg.Bench.Generation;

/// <summary>
/// Writes a COCO ground-truth file with LIVECell's layout: info and licenses, categories, images
/// (id, width, height, file_name, then LIVECell's extra fields), annotations (id, image_id,
/// category_id, segmentation, area, bbox, iscrowd), in <c>json.dump</c> formatting.
/// </summary>
internal sealed class LivecellJson(PythonJsonWriter w)
{
    private bool _firstImage = true;
    private bool _firstAnnotation = true;

    /// <summary>Everything before the first image.</summary>
    public void Begin(IReadOnlyDictionary<string, string> otherFields, IReadOnlyList<CocoCategory> categories)
    {
        w.Raw("{");
        foreach (var (name, raw) in otherFields)
        {
            w.Name(name);
            w.Raw(raw);
            w.Raw(", ");
        }

        w.Name("categories");
        w.Raw("[");
        for (var i = 0; i < categories.Count; i++)
        {
            var c = categories[i];
            w.Raw(i == 0 ? "{" : ", {");
            if (c.Supercategory is not null)
            {
                w.Name("supercategory");
                w.String(c.Supercategory);
                w.Raw(", ");
            }

            w.Name("id");
            w.Int(c.Id);
            w.Raw(", ");
            w.Name("name");
            w.String(c.Name);
            w.Raw("}");
        }

        w.Raw("], ");
        w.Name("images");
        w.Raw("[");
    }

    public void Image(long id, string fileName, CocoImage like)
    {
        w.Raw(_firstImage ? "{" : ", {");
        _firstImage = false;
        w.Name("id");
        w.Int(id);
        w.Raw(", ");
        w.Name("width");
        w.Int(like.Width);
        w.Raw(", ");
        w.Name("height");
        w.Int(like.Height);
        w.Raw(", ");
        w.Name("file_name");
        w.String(fileName);
        if (like.ExtraJson is not null)
        {
            foreach (var (name, raw) in like.ExtraJson)
            {
                w.Raw(", ");
                w.Name(name);
                w.Raw(raw);
            }
        }

        w.Raw("}");
    }

    /// <summary>Closes the images list and opens the annotations list.</summary>
    public void BeginAnnotations() => w.Raw("], \"annotations\": [");

    public void Annotation(long id, long imageId, int categoryId, IReadOnlyList<double[]> polygons, double area, BoundingBox bbox, bool isCrowd)
    {
        w.Raw(_firstAnnotation ? "{" : ", {");
        _firstAnnotation = false;
        w.Name("id");
        w.Int(id);
        w.Raw(", ");
        w.Name("image_id");
        w.Int(imageId);
        w.Raw(", ");
        w.Name("category_id");
        w.Int(categoryId);
        w.Raw(", ");
        w.Name("segmentation");
        w.Raw("[");
        for (var p = 0; p < polygons.Count; p++)
        {
            w.Raw(p == 0 ? "[" : ", [");
            var xy = polygons[p];
            for (var i = 0; i < xy.Length; i++)
            {
                if (i > 0)
                {
                    w.Raw(", ");
                }

                w.Float(xy[i]);
            }

            w.Raw("]");
        }

        w.Raw("], ");
        w.Name("area");
        w.Float(area);
        w.Raw(", ");
        w.Name("bbox");
        w.Raw("[");
        w.Float(bbox.X);
        w.Raw(", ");
        w.Float(bbox.Y);
        w.Raw(", ");
        w.Float(bbox.Width);
        w.Raw(", ");
        w.Float(bbox.Height);
        w.Raw("], ");
        w.Name("iscrowd");
        w.Int(isCrowd ? 1 : 0);
        w.Raw("}");
    }

    /// <summary>Closes the annotations list and the document.</summary>
    public void End() => w.Raw("]}");
}
