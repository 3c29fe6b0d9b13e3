using System.Text.Json;
using CellSeg.Data.IO;
using CellSeg.Data.Masks;

namespace CellSeg.Data.Coco;

/// <summary>
/// Writes COCO ground-truth and results files (atomically: a crash never leaves a half-written file).
/// Numbers are written in their shortest round-trip form, so a read–write cycle keeps every coordinate.
/// </summary>
public static class CocoWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = false };

    /// <summary>Writes a ground-truth file: other top-level fields (info, licenses) first, then images, categories and annotations.</summary>
    public static Task WriteDatasetAsync(CocoDataset dataset, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await using var w = new Utf8JsonWriter(stream, WriterOptions);
            w.WriteStartObject();
            foreach (var (name, raw) in dataset.OtherFieldsJson)
            {
                w.WritePropertyName(name);
                w.WriteRawValue(raw);
            }

            w.WriteStartArray("images");
            foreach (var image in dataset.Images)
            {
                WriteImage(w, image);
            }

            w.WriteEndArray();
            w.WriteStartArray("categories");
            foreach (var c in dataset.Categories)
            {
                w.WriteStartObject();
                if (c.Supercategory is not null)
                {
                    w.WriteString("supercategory", c.Supercategory);
                }

                w.WriteNumber("id", c.Id);
                w.WriteString("name", c.Name);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("annotations");
            var n = 0;
            foreach (var a in dataset.Annotations)
            {
                w.WriteStartObject();
                w.WriteNumber("id", a.Id);
                w.WriteNumber("image_id", a.ImageId);
                w.WriteNumber("category_id", a.CategoryId);
                w.WritePropertyName("segmentation");
                WriteSegmentation(w, a.Segmentation);
                w.WriteNumber("area", a.Area);
                WriteBox(w, a.Bbox);
                w.WriteNumber("iscrowd", a.IsCrowd ? 1 : 0);
                w.WriteEndObject();
                if (++n % 4096 == 0)
                {
                    await w.FlushAsync(ct).ConfigureAwait(false);
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
            await w.FlushAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Writes a results file: a list of detections with compressed-RLE masks and/or boxes.</summary>
    public static Task WriteDetectionsAsync(IEnumerable<CocoDetection> detections, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(detections);
        return AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await using var w = new Utf8JsonWriter(stream, WriterOptions);
            w.WriteStartArray();
            var n = 0;
            foreach (var d in detections)
            {
                w.WriteStartObject();
                w.WriteNumber("image_id", d.ImageId);
                w.WriteNumber("category_id", d.CategoryId);
                if (d.Segmentation is not null)
                {
                    w.WritePropertyName("segmentation");
                    WriteSegmentation(w, d.Segmentation);
                }

                if (d.Bbox is { } box)
                {
                    WriteBox(w, box);
                }

                w.WriteNumber("score", d.Score);
                w.WriteEndObject();
                if (++n % 4096 == 0)
                {
                    await w.FlushAsync(ct).ConfigureAwait(false);
                }
            }

            w.WriteEndArray();
            await w.FlushAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    private static void WriteImage(Utf8JsonWriter w, CocoImage image)
    {
        w.WriteStartObject();
        w.WriteNumber("id", image.Id);
        w.WriteNumber("width", image.Width);
        w.WriteNumber("height", image.Height);
        w.WriteString("file_name", image.FileName);
        if (image.ExtraJson is not null)
        {
            foreach (var (name, raw) in image.ExtraJson)
            {
                w.WritePropertyName(name);
                w.WriteRawValue(raw);
            }
        }

        w.WriteEndObject();
    }

    private static void WriteSegmentation(Utf8JsonWriter w, Segmentation segmentation)
    {
        switch (segmentation)
        {
            case PolygonSegmentation polygons:
                w.WriteStartArray();
                foreach (var polygon in polygons.Polygons)
                {
                    w.WriteStartArray();
                    foreach (var v in polygon)
                    {
                        w.WriteNumberValue(v);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndArray();
                break;
            case RleSegmentation rle:
                w.WriteStartObject();
                w.WriteStartArray("size");
                w.WriteNumberValue(rle.Rle.Height);
                w.WriteNumberValue(rle.Rle.Width);
                w.WriteEndArray();
                w.WriteString("counts", rle.Rle.ToCompressedString());
                w.WriteEndObject();
                break;
            default:
                throw new ArgumentException($"unknown segmentation type {segmentation.GetType().Name}", nameof(segmentation));
        }
    }

    private static void WriteBox(Utf8JsonWriter w, BoundingBox box)
    {
        w.WriteStartArray("bbox");
        w.WriteNumberValue(box.X);
        w.WriteNumberValue(box.Y);
        w.WriteNumberValue(box.Width);
        w.WriteNumberValue(box.Height);
        w.WriteEndArray();
    }
}
