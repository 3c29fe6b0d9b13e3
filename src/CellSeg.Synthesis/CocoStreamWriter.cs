using System.Text.Json;
using CellSeg.Data.IO;

namespace CellSeg.Synthesis;

/// <summary>
/// Writes a COCO ground-truth file whose size does not bound memory: image and annotation records go
/// to two spill files as they come, and <see cref="CompleteAsync"/> joins them into the target file
/// atomically. (<c>CocoWriter</c> writes a <c>CocoDataset</c> held in memory.)
/// </summary>
internal sealed class CocoStreamWriter : IAsyncDisposable
{
    private readonly string _target;
    private readonly string _imagesPart;
    private readonly string _annotationsPart;
    private readonly FileStream _imagesStream;
    private readonly FileStream _annotationsStream;
    private readonly Utf8JsonWriter _images;
    private readonly Utf8JsonWriter _annotations;
    private long _nextAnnotationId = 1;

    public CocoStreamWriter(string target)
    {
        _target = Path.GetFullPath(target);
        var folder = Path.GetDirectoryName(_target)!;
        Directory.CreateDirectory(folder);
        var stem = $".{Path.GetFileName(_target)}.{Guid.NewGuid():N}";
        _imagesPart = Path.Combine(folder, stem + ".images.part");
        _annotationsPart = Path.Combine(folder, stem + ".annotations.part");
        _imagesStream = new FileStream(_imagesPart, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        _annotationsStream = new FileStream(_annotationsPart, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        // RLE strings use the characters '0'..'o'; relaxed escaping writes '<', '>' and '`' as they are
        // (as Python's json does), so only the backslash is escaped.
        var writerOptions = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        _images = new Utf8JsonWriter(_imagesStream, writerOptions);
        _annotations = new Utf8JsonWriter(_annotationsStream, writerOptions);
        _images.WriteStartArray();
        _annotations.WriteStartArray();
    }

    public long AnnotationCount => _nextAnnotationId - 1;

    public void AddImage(long id, string fileName, int width, int height, IReadOnlyList<EncodedInstance> cells)
    {
        _images.WriteStartObject();
        _images.WriteNumber("id", id);
        _images.WriteNumber("width", width);
        _images.WriteNumber("height", height);
        _images.WriteString("file_name", fileName);
        _images.WriteEndObject();
        foreach (var cell in cells)
        {
            var w = _annotations;
            w.WriteStartObject();
            w.WriteNumber("id", _nextAnnotationId++);
            w.WriteNumber("image_id", id);
            w.WriteNumber("category_id", 1);
            w.WritePropertyName("segmentation");
            if (cell.Polygons is { } polygons)
            {
                w.WriteStartArray();
                foreach (var polygon in polygons)
                {
                    w.WriteStartArray();
                    foreach (var v in polygon)
                    {
                        w.WriteNumberValue((int)v);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndArray();
            }
            else
            {
                w.WriteStartObject();
                w.WriteStartArray("size");
                w.WriteNumberValue(height);
                w.WriteNumberValue(width);
                w.WriteEndArray();
                w.WriteString("counts", cell.Counts);
                w.WriteEndObject();
            }

            w.WriteNumber("area", cell.Area);
            w.WriteStartArray("bbox");
            // Pixel boxes are whole numbers.
            w.WriteNumberValue((long)cell.Bbox.X);
            w.WriteNumberValue((long)cell.Bbox.Y);
            w.WriteNumberValue((long)cell.Bbox.Width);
            w.WriteNumberValue((long)cell.Bbox.Height);
            w.WriteEndArray();
            w.WriteNumber("iscrowd", 0);
            w.WriteEndObject();
        }

        if (_annotations.BytesPending > 1 << 16)
        {
            _annotations.Flush();
        }

        if (_images.BytesPending > 1 << 16)
        {
            _images.Flush();
        }
    }

    /// <summary>Writes the target: info, images, categories, annotations.</summary>
    public async Task CompleteAsync(string infoJson, CancellationToken cancellationToken)
    {
        _images.WriteEndArray();
        _annotations.WriteEndArray();
        await _images.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _annotations.FlushAsync(cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAsync(_target, async (stream, ct) =>
        {
            await stream.WriteAsync("{\"info\":"u8.ToArray(), ct).ConfigureAwait(false);
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(infoJson), ct).ConfigureAwait(false);
            await stream.WriteAsync(",\"images\":"u8.ToArray(), ct).ConfigureAwait(false);
            _imagesStream.Position = 0;
            await _imagesStream.CopyToAsync(stream, ct).ConfigureAwait(false);
            await stream.WriteAsync(",\"categories\":[{\"supercategory\":\"cell\",\"id\":1,\"name\":\"cell\"}],\"annotations\":"u8.ToArray(), ct).ConfigureAwait(false);
            _annotationsStream.Position = 0;
            await _annotationsStream.CopyToAsync(stream, ct).ConfigureAwait(false);
            await stream.WriteAsync("}"u8.ToArray(), ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _images.DisposeAsync().ConfigureAwait(false);
        await _annotations.DisposeAsync().ConfigureAwait(false);
        await _imagesStream.DisposeAsync().ConfigureAwait(false);
        await _annotationsStream.DisposeAsync().ConfigureAwait(false);
        File.Delete(_imagesPart);
        File.Delete(_annotationsPart);
    }
}
