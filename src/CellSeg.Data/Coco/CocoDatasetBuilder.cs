namespace CellSeg.Data.Coco;

/// <summary>
/// Collects streamed records into a <see cref="CocoDataset"/> and does the checks that need more than
/// one record: duplicate ids, annotations whose image or category does not exist, polygon points and
/// masks that do not fit their image. Works whatever order the file's lists come in.
/// </summary>
public sealed class CocoDatasetBuilder : ICocoRecordSink
{
    private readonly string _path;
    private readonly bool _lenient;
    private readonly List<CocoImage> _images = [];
    private readonly HashSet<long> _imageIds = [];
    private readonly List<CocoCategory> _categories = [];
    private readonly HashSet<int> _categoryIds = [];
    private readonly List<CocoAnnotation> _annotations = [];
    private readonly HashSet<long> _annotationIds = [];
    private readonly Dictionary<string, string> _other = new(StringComparer.Ordinal);
    private readonly List<ReadIssue> _issues = [];

    /// <summary>Creates a builder for records read from <paramref name="path"/>.</summary>
    public CocoDatasetBuilder(string path, bool lenient)
    {
        _path = path;
        _lenient = lenient;
    }

    /// <summary>Records skipped so far.</summary>
    public IReadOnlyList<ReadIssue> Issues => _issues;

    /// <summary>Records a skipped record (lenient mode).</summary>
    public void AddIssue(ReadIssue issue) => _issues.Add(issue);

    /// <inheritdoc />
    public void OnOtherField(string name, string rawJson) => _other[name] = rawJson;

    /// <inheritdoc />
    public void OnImage(CocoImage image)
    {
        if (!_imageIds.Add(image.Id))
        {
            Problem($"image {image.Id}", "duplicate image id");
            return;
        }

        _images.Add(image);
    }

    /// <inheritdoc />
    public void OnCategory(CocoCategory category)
    {
        if (!_categoryIds.Add(category.Id))
        {
            Problem($"category {category.Id}", "duplicate category id");
            return;
        }

        _categories.Add(category);
    }

    /// <inheritdoc />
    public void OnAnnotation(CocoAnnotation annotation)
    {
        if (!_annotationIds.Add(annotation.Id))
        {
            Problem($"annotation {annotation.Id}", "duplicate annotation id");
            return;
        }

        _annotations.Add(annotation);
    }

    /// <summary>Checks references and geometry and returns the dataset.</summary>
    /// <exception cref="DataFormatException">Strict mode, and a record is bad.</exception>
    public CocoDataset Build()
    {
        var images = _images.ToDictionary(i => i.Id);
        var kept = new List<CocoAnnotation>(_annotations.Count);
        foreach (var a in _annotations)
        {
            var problem = CheckAnnotation(a, images.GetValueOrDefault(a.ImageId));
            if (problem is null)
            {
                kept.Add(a);
            }
            else
            {
                Problem($"annotation {a.Id}", problem);
            }
        }

        return new CocoDataset(_images, _categories, kept, _other, _issues, _path);
    }

    /// <summary>What is wrong with an annotation given its image (null if the image is missing), or null when nothing is.</summary>
    public string? CheckAnnotation(CocoAnnotation a, CocoImage? image)
    {
        if (image is null)
        {
            return $"refers to image {a.ImageId}, which is not in the file";
        }

        if (_categories.Count > 0 && !_categoryIds.Contains(a.CategoryId))
        {
            return $"refers to category {a.CategoryId}, which is not in the file";
        }

        return CheckGeometry(a.Segmentation, image);
    }

    /// <summary>Polygon points must lie inside the image (edges included); an RLE must have the image's size.</summary>
    public static string? CheckGeometry(Segmentation segmentation, CocoImage image)
    {
        switch (segmentation)
        {
            case PolygonSegmentation polygons:
                for (var p = 0; p < polygons.Polygons.Count; p++)
                {
                    var xy = polygons.Polygons[p];
                    for (var i = 0; i + 1 < xy.Length; i += 2)
                    {
                        double x = xy[i], y = xy[i + 1];
                        if (x < 0 || y < 0 || x > image.Width || y > image.Height)
                        {
                            return $"polygon {p} point {i / 2} ({x}, {y}) lies outside image {image.Id} ({image.Width}x{image.Height})";
                        }
                    }
                }

                return null;
            case RleSegmentation rle when rle.Rle.Height != image.Height || rle.Rle.Width != image.Width:
                return $"RLE size {rle.Rle.Height}x{rle.Rle.Width} (h x w) differs from image {image.Id}, which is {image.Height}x{image.Width}";
            default:
                return null;
        }
    }

    private void Problem(string record, string reason)
    {
        if (!_lenient)
        {
            throw new DataFormatException(_path, record, reason);
        }

        _issues.Add(new ReadIssue(record, reason));
    }
}
