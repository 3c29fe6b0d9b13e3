namespace CellSeg.Data.Coco;

/// <summary>
/// A COCO ground-truth file in memory: images, categories and annotations, with lookups by id.
/// Load one with <see cref="CocoReader.LoadAsync"/>, or build one in code and save it with <see cref="CocoWriter"/>.
/// </summary>
public sealed class CocoDataset
{
    private readonly Dictionary<long, CocoImage> _imagesById;
    private readonly Dictionary<long, List<CocoAnnotation>> _annotationsByImage;

    /// <summary>Creates a dataset from records that are already consistent (unique ids, no dangling references).</summary>
    public CocoDataset(
        IReadOnlyList<CocoImage> images,
        IReadOnlyList<CocoCategory> categories,
        IReadOnlyList<CocoAnnotation> annotations,
        IReadOnlyDictionary<string, string>? otherFieldsJson = null,
        IReadOnlyList<ReadIssue>? issues = null,
        string? sourcePath = null)
    {
        Images = images;
        Categories = categories;
        Annotations = annotations;
        OtherFieldsJson = otherFieldsJson ?? new Dictionary<string, string>();
        Issues = issues ?? [];
        SourcePath = sourcePath;
        _imagesById = new Dictionary<long, CocoImage>(images.Count);
        foreach (var image in images)
        {
            if (!_imagesById.TryAdd(image.Id, image))
            {
                throw new ArgumentException($"image id {image.Id} appears twice", nameof(images));
            }
        }

        _annotationsByImage = new Dictionary<long, List<CocoAnnotation>>(images.Count);
        foreach (var annotation in annotations)
        {
            if (!_annotationsByImage.TryGetValue(annotation.ImageId, out var list))
            {
                _annotationsByImage[annotation.ImageId] = list = [];
            }

            list.Add(annotation);
        }
    }

    /// <summary>The file it was read from, if any.</summary>
    public string? SourcePath { get; }

    /// <summary>Images in file order.</summary>
    public IReadOnlyList<CocoImage> Images { get; }

    /// <summary>Categories in file order.</summary>
    public IReadOnlyList<CocoCategory> Categories { get; }

    /// <summary>Annotations in file order.</summary>
    public IReadOnlyList<CocoAnnotation> Annotations { get; }

    /// <summary>Top-level fields kept as raw JSON (<c>info</c>, <c>licenses</c>, …), written back unchanged.</summary>
    public IReadOnlyDictionary<string, string> OtherFieldsJson { get; }

    /// <summary>Records that lenient reading skipped, with the reason for each.</summary>
    public IReadOnlyList<ReadIssue> Issues { get; }

    /// <summary>The image with this id, or null.</summary>
    public CocoImage? FindImage(long id) => _imagesById.GetValueOrDefault(id);

    /// <summary>The annotations of one image, in file order.</summary>
    public IReadOnlyList<CocoAnnotation> AnnotationsOf(long imageId) =>
        _annotationsByImage.TryGetValue(imageId, out var list) ? list : [];
}
