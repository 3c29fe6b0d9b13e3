using System.Text.Json;
using CellSeg.Data.Json;

namespace CellSeg.Data.Coco;

/// <summary>
/// Reads COCO annotation and results files with <see cref="Utf8JsonReader"/> over a sliding buffer:
/// the file is never held whole in memory, so LIVECell's ~1 GB training file can be read on a small
/// machine. Bad records stop the read with a <see cref="DataFormatException"/> naming the file, the
/// record and the problem, or are skipped and listed in lenient mode.
/// </summary>
public static class CocoReader
{
    /// <summary>Loads a ground-truth file into memory, checking ids, references and coordinates.</summary>
    /// <exception cref="DataFormatException">The file is malformed, or (strict mode) a record is bad.</exception>
    public static async Task<CocoDataset> LoadAsync(string path, CocoReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= CocoReadOptions.Default;
        var builder = new CocoDatasetBuilder(path, options.Lenient);
        await ReadAsync(path, builder, options, builder.AddIssue, cancellationToken).ConfigureAwait(false);
        return builder.Build();
    }

    /// <summary>
    /// Streams a ground-truth file into <paramref name="sink"/>. Checks that need other records
    /// (dangling image ids, duplicates) are the sink's business; <see cref="CocoDatasetBuilder"/> does them.
    /// </summary>
    /// <param name="path">The COCO JSON file.</param>
    /// <param name="sink">Receives the records.</param>
    /// <param name="options">Strict or lenient, progress.</param>
    /// <param name="onIssue">In lenient mode, receives each skipped record; null means strict regardless of options.</param>
    /// <param name="cancellationToken">Stops the read between chunks.</param>
    public static Task ReadAsync(string path, ICocoRecordSink sink, CocoReadOptions? options, Action<ReadIssue>? onIssue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        options ??= CocoReadOptions.Default;
        var lenient = options.Lenient && onIssue is not null;
        return Task.Run(() => ReadGroundTruth(path, sink, options, lenient ? onIssue : null, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Reads a COCO results file (a list of detections). When <paramref name="groundTruth"/> is given,
    /// every detection must refer to one of its images, as pycocotools' <c>loadRes</c> requires.
    /// </summary>
    public static Task<DetectionSet> LoadDetectionsAsync(string path, CocoDataset? groundTruth = null, CocoReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= CocoReadOptions.Default;
        return Task.Run(() => ReadDetections(path, groundTruth, options, cancellationToken), cancellationToken);
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, null, ex is FileNotFoundException or DirectoryNotFoundException ? "file not found" : "cannot be opened: " + ex.Message, ex);
        }
    }

    private static IProgress<long>? BytesProgress(CocoReadOptions options, long total, Func<long> records) =>
        options.Progress is { } p ? new SyncProgress<long>(bytes => p.Report(new ReadProgress(bytes, total, records()))) : null;

    private static void ReadGroundTruth(string path, ICocoRecordSink sink, CocoReadOptions options, Action<ReadIssue>? onIssue, CancellationToken ct)
    {
        using var stream = Open(path);
        long records = 0;
        using var json = new JsonChunkedReader(stream, path, BytesProgress(options, stream.Length, () => records), ct);
        if (json.ReadDocumentStart() != JsonTokenType.StartObject)
        {
            throw new DataFormatException(path, null, "a COCO annotation file must hold a JSON object with 'images' and 'annotations'; this one holds a list (is it a results file?)");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (json.TryReadPropertyName(out var name))
        {
            seen.Add(name);
            switch (name)
            {
                case "images":
                    ReadList(json, name, (bytes, index) =>
                    {
                        var parsed = CocoRecordParser.Image(bytes, index, options.MaxImageSide, options.MaxImagePixels);
                        if (Accept(parsed, path, onIssue))
                        {
                            sink.OnImage(parsed.Value!);
                        }

                        records++;
                    });
                    break;
                case "categories":
                    ReadList(json, name, (bytes, index) =>
                    {
                        var parsed = CocoRecordParser.Category(bytes, index);
                        if (Accept(parsed, path, onIssue))
                        {
                            sink.OnCategory(parsed.Value!);
                        }
                    });
                    break;
                case "annotations":
                    var perImage = new Dictionary<long, int>();
                    ReadList(json, name, (bytes, index) =>
                    {
                        var parsed = CocoRecordParser.Annotation(bytes, index);
                        if (Accept(parsed, path, onIssue))
                        {
                            CountPerImage(perImage, parsed.Value!.ImageId, options.MaxObjectsPerImage, path, "annotations");
                            sink.OnAnnotation(parsed.Value!);
                        }

                        records++;
                    });
                    break;
                default:
                    sink.OnOtherField(name, JsonChunkedReader.Utf8(json.ReadRawValue(out _)));
                    break;
            }
        }

        json.ReadDocumentEnd();
        foreach (var required in (string[])["images", "annotations"])
        {
            if (!seen.Contains(required))
            {
                throw new DataFormatException(path, null, $"the top-level field '{required}' is missing");
            }
        }
    }

    private delegate void IndexedHandler(ReadOnlySpan<byte> json, int index);

    private static void ReadList(JsonChunkedReader json, string name, IndexedHandler handler)
    {
        var index = 0;
        if (!json.ReadArray((bytes, _) => handler(bytes, index++), out var found))
        {
            throw new DataFormatException(json.Path, null, $"the top-level field '{name}' must be a list, found {JsonChunkedReader.Describe(found)}");
        }
    }

    private static bool Accept<T>(Parsed<T> parsed, string path, Action<ReadIssue>? onIssue)
        where T : class
    {
        if (parsed.Ok)
        {
            return true;
        }

        if (onIssue is null)
        {
            throw new DataFormatException(path, parsed.Record, parsed.Problem!);
        }

        onIssue(new ReadIssue(parsed.Record, parsed.Problem!));
        return false;
    }

    private static DetectionSet ReadDetections(string path, CocoDataset? groundTruth, CocoReadOptions options, CancellationToken ct)
    {
        using var stream = Open(path);
        var detections = new List<CocoDetection>();
        var issues = new List<ReadIssue>();
        Action<ReadIssue>? onIssue = options.Lenient ? issues.Add : null;
        using var json = new JsonChunkedReader(stream, path, BytesProgress(options, stream.Length, () => detections.Count), ct);
        if (json.ReadDocumentStart() != JsonTokenType.StartArray)
        {
            throw new DataFormatException(path, null, "a COCO results file must hold a JSON list of detections; this one holds an object (is it a ground-truth file?)");
        }

        var index = 0;
        var perImage = new Dictionary<long, int>();
        json.ReadArrayElements((bytes, _) =>
        {
            var parsed = CocoRecordParser.Detection(bytes, index);
            if (Accept(parsed, path, onIssue))
            {
                var d = parsed.Value!;
                CountPerImage(perImage, d.ImageId, options.MaxObjectsPerImage, path, "detections");
                var problem = groundTruth is null ? null : CheckAgainst(d, groundTruth);
                if (problem is null)
                {
                    detections.Add(d);
                }
                else if (onIssue is null)
                {
                    throw new DataFormatException(path, parsed.Record, problem);
                }
                else
                {
                    onIssue(new ReadIssue(parsed.Record, problem));
                }
            }

            index++;
        });
        json.ReadDocumentEnd();
        return new DetectionSet(path, detections, issues);
    }

    /// <summary>Refuses the file (not the record: the limit is about the whole image) once an image has too many objects.</summary>
    private static void CountPerImage(Dictionary<long, int> counts, long imageId, int limit, string path, string what)
    {
        var count = counts[imageId] = counts.GetValueOrDefault(imageId) + 1;
        if (count > limit)
        {
            throw new DataFormatException(path, $"image {imageId}", $"has more than {limit:N0} {what}, the limit per image (CocoReadOptions.MaxObjectsPerImage)");
        }
    }

    private static string? CheckAgainst(CocoDetection d, CocoDataset gt)
    {
        var image = gt.FindImage(d.ImageId);
        if (image is null)
        {
            return $"refers to image {d.ImageId}, which is not in the ground truth";
        }

        if (d.Segmentation is RleSegmentation rle && (rle.Rle.Height != image.Height || rle.Rle.Width != image.Width))
        {
            return $"mask size {rle.Rle.Height}x{rle.Rle.Width} (h x w) differs from image {image.Id}, which is {image.Height}x{image.Width}";
        }

        return null;
    }
}
