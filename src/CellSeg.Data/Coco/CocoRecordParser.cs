using System.Text;
using System.Text.Json;
using CellSeg.Data.Json;
using CellSeg.Data.Masks;

namespace CellSeg.Data.Coco;

/// <summary>The outcome of parsing one record: the value, or which record it was and what is wrong.</summary>
internal readonly record struct Parsed<T>(T? Value, string Record, string? Problem)
    where T : class
{
    public bool Ok => Problem is null;
}

/// <summary>
/// Parses single COCO records (one image, category, annotation or detection) from their JSON bytes.
/// Checks everything a record can be checked for on its own; checks against other records (dangling
/// ids, coordinates outside the image) are done by the dataset builder.
/// </summary>
internal static class CocoRecordParser
{
    [ThreadStatic]
    private static List<double>? t_numbers;

    public static Parsed<CocoImage> Image(ReadOnlySpan<byte> json, int index, int maxSide = CocoReadOptions.DefaultMaxImageSide, long maxPixels = CocoReadOptions.DefaultMaxImagePixels)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var record = $"images[{index}]";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new(null, record, $"must be an object, found {JsonChunkedReader.Describe(reader.TokenType)}");
        }

        long? id = null;
        string? fileName = null;
        long? width = null, height = null;
        Dictionary<string, string>? extra = null;
        string? problem = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "id":
                    if (JsonValue.TryInt64(ref reader, out var v, out var p))
                    {
                        id = v;
                        record = $"image {v}";
                    }
                    else
                    {
                        problem ??= "field 'id' " + p;
                    }

                    break;
                case "file_name":
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        fileName = reader.GetString();
                    }
                    else
                    {
                        problem ??= $"field 'file_name' must be a string, found {JsonChunkedReader.Describe(reader.TokenType)}";
                    }

                    break;
                case "width":
                case "height":
                    if (JsonValue.TryInt64(ref reader, out var size, out var sp) && size > 0 && size <= maxSide)
                    {
                        if (name == "width")
                        {
                            width = size;
                        }
                        else
                        {
                            height = size;
                        }
                    }
                    else
                    {
                        problem ??= $"field '{name}' " + (sp ?? (size > maxSide ? $"is {size:N0} pixels, more than the limit of {maxSide:N0} a side" : $"must be a positive pixel count, found {size}"));
                    }

                    break;
                default:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    extra ??= new Dictionary<string, string>(StringComparer.Ordinal);
                    extra[name] = Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
                    break;
            }
        }

        problem ??= Missing(("id", id is not null), ("file_name", fileName is not null), ("width", width is not null), ("height", height is not null));
        problem ??= FileNameProblem(fileName!);
        if (problem is null && width!.Value * height!.Value > maxPixels)
        {
            problem = $"is {width.Value:N0}×{height.Value:N0} = {width.Value * height.Value:N0} pixels, more than the limit of {maxPixels:N0} per image";
        }

        if (problem is not null)
        {
            return new(null, record, problem);
        }

        return new(new CocoImage(id!.Value, fileName!, (int)width!.Value, (int)height!.Value) { ExtraJson = extra }, record, null);
    }

    /// <summary>
    /// An image's file name is joined to an images folder, so it must stay beneath it: relative, without <c>..</c>,
    /// without a NUL (an annotation file is data, and must not make a reader open /etc/shadow).
    /// </summary>
    internal static string? FileNameProblem(string fileName)
    {
        if (fileName.Length == 0 || fileName.Contains('\0', StringComparison.Ordinal))
        {
            return "field 'file_name' is empty or holds a NUL character";
        }

        if (Path.IsPathRooted(fileName) || fileName.StartsWith('\\') || fileName.Split('/', '\\').Contains(".."))
        {
            return $"field 'file_name' '{fileName}' must be a relative path inside the images folder (no leading '/', no '..')";
        }

        return null;
    }

    public static Parsed<CocoCategory> Category(ReadOnlySpan<byte> json, int index)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var record = $"categories[{index}]";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new(null, record, $"must be an object, found {JsonChunkedReader.Describe(reader.TokenType)}");
        }

        long? id = null;
        string? name = null, super = null, problem = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.GetString()!;
            reader.Read();
            switch (field)
            {
                case "id":
                    if (JsonValue.TryInt64(ref reader, out var v, out var p) && v is >= int.MinValue and <= int.MaxValue)
                    {
                        id = v;
                        record = $"category {v}";
                    }
                    else
                    {
                        problem ??= "field 'id' " + (p ?? "is out of range");
                    }

                    break;
                case "name" when reader.TokenType == JsonTokenType.String:
                    name = reader.GetString();
                    break;
                case "supercategory" when reader.TokenType == JsonTokenType.String:
                    super = reader.GetString();
                    break;
                case "name":
                    problem ??= $"field 'name' must be a string, found {JsonChunkedReader.Describe(reader.TokenType)}";
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        problem ??= Missing(("id", id is not null), ("name", name is not null));
        return problem is null ? new(new CocoCategory((int)id!.Value, name!, super), record, null) : new(null, record, problem);
    }

    public static Parsed<CocoAnnotation> Annotation(ReadOnlySpan<byte> json, int index)
    {
        return AnnotationFastPath.TryParse(json) is { } fast ? new(fast, string.Empty, null) : AnnotationGeneral(json, index);
    }

    /// <summary>Parses any annotation record with full checks; <see cref="Annotation"/> tries the fast path first.</summary>
    internal static Parsed<CocoAnnotation> AnnotationGeneral(ReadOnlySpan<byte> json, int index)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new(null, $"annotations[{index}]", $"must be an object, found {JsonChunkedReader.Describe(reader.TokenType)}");
        }

        long? id = null, imageId = null, categoryId = null;
        double? area = null;
        BoundingBox? bbox = null;
        var crowd = false;
        Segmentation? segmentation = null;
        string? problem = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Names are matched as UTF-8 bytes: a million annotations would otherwise make seven million strings.
            var name = AnnotationField(ref reader);
            reader.Read();
            string? p = null;
            switch (name)
            {
                case "id":
                    if (JsonValue.TryInt64(ref reader, out var v, out p))
                    {
                        id = v;
                    }

                    break;
                case "image_id":
                    if (JsonValue.TryInt64(ref reader, out var img, out p))
                    {
                        imageId = img;
                    }

                    break;
                case "category_id":
                    if (JsonValue.TryInt64(ref reader, out var cat, out p))
                    {
                        categoryId = cat;
                    }

                    break;
                case "area":
                    if (JsonValue.TryDouble(ref reader, out var a, out p))
                    {
                        if (a < 0)
                        {
                            p = $"must not be negative, found {a}";
                        }
                        else
                        {
                            area = a;
                        }
                    }

                    break;
                case "bbox":
                    bbox = ReadBox(ref reader, out p);
                    break;
                case "iscrowd":
                    if (JsonValue.TryFlag(ref reader, out var c, out p))
                    {
                        crowd = c;
                    }

                    break;
                case "segmentation":
                    segmentation = ReadSegmentation(ref reader, out p);
                    break;
                default:
                    reader.Skip();
                    break;
            }

            if (p is not null)
            {
                problem ??= $"field '{name}' {p}";
            }
        }

        var record = id is { } known ? $"annotation {known}" : $"annotations[{index}]";
        problem ??= Missing(("id", id is not null), ("image_id", imageId is not null), ("category_id", categoryId is not null), ("segmentation", segmentation is not null), ("area", area is not null));
        if (problem is null && categoryId is < int.MinValue or > int.MaxValue)
        {
            problem = $"field 'category_id' is out of range: {categoryId}";
        }

        if (problem is not null)
        {
            return new(null, record, problem);
        }

        var box = bbox ?? ExtentOf(segmentation!);
        return new(new CocoAnnotation(id!.Value, imageId!.Value, (int)categoryId!.Value, segmentation!, area!.Value, box, crowd), string.Empty, null);
    }

    /// <summary>Parses one entry of a results file.</summary>
    public static Parsed<CocoDetection> Detection(ReadOnlySpan<byte> json, int index)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var record = $"result {index}";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new(null, record, $"must be an object, found {JsonChunkedReader.Describe(reader.TokenType)}");
        }

        long? imageId = null, categoryId = null;
        double? score = null;
        BoundingBox? bbox = null;
        Segmentation? segmentation = null;
        string? problem = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            string? p = null;
            switch (name)
            {
                case "image_id":
                    if (JsonValue.TryInt64(ref reader, out var img, out p))
                    {
                        imageId = img;
                    }

                    break;
                case "category_id":
                    if (JsonValue.TryInt64(ref reader, out var cat, out p))
                    {
                        categoryId = cat;
                    }

                    break;
                case "score":
                    if (JsonValue.TryDouble(ref reader, out var s, out p))
                    {
                        score = s;
                    }

                    break;
                case "bbox":
                    bbox = ReadBox(ref reader, out p);
                    break;
                case "segmentation":
                    segmentation = ReadSegmentation(ref reader, out p);
                    break;
                default:
                    reader.Skip();
                    break;
            }

            if (p is not null)
            {
                problem ??= $"field '{name}' {p}";
            }
        }

        problem ??= Missing(("image_id", imageId is not null), ("category_id", categoryId is not null), ("score", score is not null));
        if (problem is null && segmentation is null && bbox is null)
        {
            problem = "has neither 'segmentation' nor 'bbox'";
        }

        if (problem is null && categoryId is < int.MinValue or > int.MaxValue)
        {
            problem = $"field 'category_id' is out of range: {categoryId}";
        }

        return problem is null
            ? new(new CocoDetection(imageId!.Value, (int)categoryId!.Value, score!.Value, segmentation, bbox), record, null)
            : new(null, record, problem);
    }

    /// <summary>The annotation field the reader is on, as an interned name; unknown names come back as they are.</summary>
    private static string AnnotationField(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("id"u8))
        {
            return "id";
        }

        if (reader.ValueTextEquals("image_id"u8))
        {
            return "image_id";
        }

        if (reader.ValueTextEquals("category_id"u8))
        {
            return "category_id";
        }

        if (reader.ValueTextEquals("segmentation"u8))
        {
            return "segmentation";
        }

        if (reader.ValueTextEquals("area"u8))
        {
            return "area";
        }

        if (reader.ValueTextEquals("bbox"u8))
        {
            return "bbox";
        }

        if (reader.ValueTextEquals("iscrowd"u8))
        {
            return "iscrowd";
        }

        return reader.GetString()!;
    }

    private static BoundingBox? ReadBox(ref Utf8JsonReader reader, out string? problem)
    {
        var numbers = t_numbers ??= new List<double>(256);
        if (!JsonValue.TryDoubleList(ref reader, numbers, out problem))
        {
            return null;
        }

        if (numbers.Count != 4)
        {
            problem = $"must hold 4 numbers [x, y, w, h], found {numbers.Count}";
            return null;
        }

        if (CoordinateProblem(numbers) is { } bad)
        {
            problem = bad;
            return null;
        }

        return new BoundingBox(numbers[0], numbers[1], numbers[2], numbers[3]);
    }

    /// <summary>Coordinates are at most 2^20 in magnitude (the largest image side any reader accepts), so rasterising them cannot overflow.</summary>
    internal const double MaxCoordinate = 1 << 20;

    private static string? CoordinateProblem(List<double> numbers)
    {
        foreach (var v in numbers)
        {
            if (!double.IsFinite(v) || Math.Abs(v) > MaxCoordinate)
            {
                return $"holds the coordinate {v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}, outside ±{MaxCoordinate:N0}";
            }
        }

        return null;
    }

    private static Segmentation? ReadSegmentation(ref Utf8JsonReader reader, out string? problem)
    {
        problem = null;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            var polygons = new List<double[]>(1);
            var numbers = t_numbers ??= new List<double>(256);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (!JsonValue.TryDoubleList(ref reader, numbers, out var p))
                {
                    problem = $"polygon {polygons.Count}: {p}";
                    JsonValue.SkipRestOfArray(ref reader);
                    return null;
                }

                if (numbers.Count % 2 != 0)
                {
                    problem = $"polygon {polygons.Count} has an odd number of coordinates ({numbers.Count})";
                    JsonValue.SkipRestOfArray(ref reader);
                    return null;
                }

                if (numbers.Count < 6)
                {
                    problem = $"polygon {polygons.Count} has {numbers.Count / 2} points; a polygon needs at least 3";
                    JsonValue.SkipRestOfArray(ref reader);
                    return null;
                }

                if (CoordinateProblem(numbers) is { } bad)
                {
                    problem = $"polygon {polygons.Count} {bad}";
                    JsonValue.SkipRestOfArray(ref reader);
                    return null;
                }

                polygons.Add([.. numbers]);
            }

            if (polygons.Count == 0)
            {
                problem = "holds no polygon";
                return null;
            }

            return new PolygonSegmentation(polygons);
        }

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return ReadRle(ref reader, out problem);
        }

        problem = $"must be a list of polygons or an RLE object, found {JsonChunkedReader.Describe(reader.TokenType)}";
        reader.Skip();
        return null;
    }

    private static RleSegmentation? ReadRle(ref Utf8JsonReader reader, out string? problem)
    {
        problem = null;
        long? h = null, w = null;
        string? compressed = null;
        uint[]? counts = null;
        var numbers = t_numbers ??= new List<double>(256);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (name == "size")
            {
                if (!JsonValue.TryDoubleList(ref reader, numbers, out var p) || numbers.Count != 2 || numbers.Any(n => n < 0 || n != Math.Floor(n) || n > 1 << 20))
                {
                    problem ??= "RLE 'size' must be [height, width]" + (p is null ? string.Empty : ": " + p);
                }
                else
                {
                    h = (long)numbers[0];
                    w = (long)numbers[1];
                }
            }
            else if (name == "counts" && reader.TokenType == JsonTokenType.String)
            {
                compressed = reader.GetString();
            }
            else if (name == "counts" && reader.TokenType == JsonTokenType.StartArray)
            {
                if (!JsonValue.TryDoubleList(ref reader, numbers, out var p) || numbers.Any(n => n < 0 || n != Math.Floor(n) || n > uint.MaxValue))
                {
                    problem ??= "RLE 'counts' must be a string or a list of non-negative integers" + (p is null ? string.Empty : ": " + p);
                }
                else
                {
                    counts = numbers.Select(n => (uint)n).ToArray();
                }
            }
            else if (name == "counts")
            {
                problem ??= $"RLE 'counts' must be a string or a list, found {JsonChunkedReader.Describe(reader.TokenType)}";
                reader.Skip();
            }
            else
            {
                reader.Skip();
            }
        }

        if (problem is not null)
        {
            return null;
        }

        if (h is null || w is null)
        {
            problem = "RLE has no 'size'";
            return null;
        }

        if (compressed is null && counts is null)
        {
            problem = "RLE has no 'counts'";
            return null;
        }

        if (compressed is not null)
        {
            try
            {
                counts = RleString.Decode(compressed);
            }
            catch (FormatException ex)
            {
                problem = ex.Message;
                return null;
            }
        }

        long total = 0;
        foreach (var c in counts!)
        {
            total += c;
        }

        if (total != h * w)
        {
            problem = $"RLE runs cover {total} pixels but size {h}x{w} has {h * w}";
            return null;
        }

        return new RleSegmentation(new Rle((int)h, (int)w, counts));
    }

    /// <summary>The box of a segmentation whose record has no 'bbox': the polygons' extent, or the RLE's box.</summary>
    internal static BoundingBox ExtentOf(Segmentation segmentation)
    {
        if (segmentation is RleSegmentation rle)
        {
            return rle.Rle.ToBbox();
        }

        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var polygon in ((PolygonSegmentation)segmentation).Polygons)
        {
            for (var i = 0; i + 1 < polygon.Length; i += 2)
            {
                minX = Math.Min(minX, polygon[i]);
                maxX = Math.Max(maxX, polygon[i]);
                minY = Math.Min(minY, polygon[i + 1]);
                maxY = Math.Max(maxY, polygon[i + 1]);
            }
        }

        return new BoundingBox(minX, minY, maxX - minX, maxY - minY);
    }

    private static string? Missing(params (string Name, bool Present)[] fields)
    {
        foreach (var (name, present) in fields)
        {
            if (!present)
            {
                return $"field '{name}' is missing";
            }
        }

        return null;
    }
}
