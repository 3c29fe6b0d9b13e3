using System.Buffers.Text;
using CellSeg.Data.Json;
using CellSeg.Data.Masks;

namespace CellSeg.Data.Coco;

/// <summary>
/// Parses the usual shape of a ground-truth annotation (the seven COCO fields, numbers, polygon lists)
/// straight from its bytes, without <see cref="System.Text.Json.Utf8JsonReader"/>: a LIVECell-sized
/// file holds 26 million polygon numbers, and a token-by-token reader costs more than the numbers'
/// conversion. Anything else — another field, a duplicate, an escape, an RLE, a value that would be
/// reported as a problem, JSON this strict grammar does not accept — returns null, and the general
/// parser in <see cref="CocoRecordParser"/> reads the record as before, with its checks and messages.
/// So this path only ever yields what the general parser yields, faster.
/// </summary>
internal static class AnnotationFastPath
{
    private const int Id = 1, ImageId = 2, CategoryId = 4, Segmentation = 8, Area = 16, Bbox = 32, IsCrowd = 64;
    private const int Required = Id | ImageId | CategoryId | Segmentation | Area;

    [ThreadStatic]
    private static List<double>? t_numbers;

    /// <summary>The annotation, or null when the general parser must decide.</summary>
    public static CocoAnnotation? TryParse(ReadOnlySpan<byte> json)
    {
        var numbers = t_numbers ??= new List<double>(256);
        var c = new Cursor(json);
        if (!c.Take((byte)'{'))
        {
            return null;
        }

        long id = 0, imageId = 0, categoryId = 0;
        double area = 0;
        BoundingBox? bbox = null;
        var crowd = false;
        List<double[]>? polygons = null;
        var seen = 0;
        while (true)
        {
            if (!c.Key(out var key) || !c.Take((byte)':'))
            {
                return null;
            }

            int field;
            if (key.SequenceEqual("segmentation"u8))
            {
                field = Segmentation;
                polygons = ReadPolygons(ref c, numbers);
                if (polygons is null)
                {
                    return null;
                }
            }
            else if (key.SequenceEqual("id"u8))
            {
                field = Id;
                if (!c.Integer(out id))
                {
                    return null;
                }
            }
            else if (key.SequenceEqual("image_id"u8))
            {
                field = ImageId;
                if (!c.Integer(out imageId))
                {
                    return null;
                }
            }
            else if (key.SequenceEqual("category_id"u8))
            {
                field = CategoryId;
                if (!c.Integer(out categoryId) || categoryId is < int.MinValue or > int.MaxValue)
                {
                    return null;
                }
            }
            else if (key.SequenceEqual("area"u8))
            {
                field = Area;
                if (!c.Number(out area) || area < 0)
                {
                    return null;
                }
            }
            else if (key.SequenceEqual("bbox"u8))
            {
                field = Bbox;
                if (!c.NumberList(numbers) || numbers.Count != 4 || !InRange(numbers))
                {
                    return null;
                }

                bbox = new BoundingBox(numbers[0], numbers[1], numbers[2], numbers[3]);
            }
            else if (key.SequenceEqual("iscrowd"u8))
            {
                field = IsCrowd;
                if (!c.Integer(out var flag) || flag is not (0 or 1))
                {
                    return null;
                }

                crowd = flag == 1;
            }
            else
            {
                return null;
            }

            if ((seen & field) != 0)
            {
                return null;
            }

            seen |= field;
            if (c.Take((byte)','))
            {
                continue;
            }

            if (c.Take((byte)'}') && c.AtEnd && (seen & Required) == Required)
            {
                break;
            }

            return null;
        }

        var segmentation = new PolygonSegmentation(polygons!);
        return new CocoAnnotation(id, imageId, (int)categoryId, segmentation, area, bbox ?? CocoRecordParser.ExtentOf(segmentation), crowd);
    }

    private static bool InRange(List<double> numbers)
    {
        foreach (var v in numbers)
        {
            if (!double.IsFinite(v) || Math.Abs(v) > CocoRecordParser.MaxCoordinate)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>[[x, y, …], …]: at least one polygon, each of an even number (six or more) of coordinates.</summary>
    private static List<double[]>? ReadPolygons(ref Cursor c, List<double> numbers)
    {
        if (!c.Take((byte)'['))
        {
            return null;
        }

        var polygons = new List<double[]>(1);
        do
        {
            if (!c.NumberList(numbers) || numbers.Count < 6 || numbers.Count % 2 != 0 || !InRange(numbers))
            {
                return null;   // the general parser says what is wrong
            }

            polygons.Add([.. numbers]);
        }
        while (c.Take((byte)','));

        return c.Take((byte)']') ? polygons : null;
    }

    /// <summary>A position in the record's bytes; every read skips the whitespace before its token.</summary>
    private ref struct Cursor(ReadOnlySpan<byte> json)
    {
        private readonly ReadOnlySpan<byte> _json = json;
        private int _i;

        public readonly bool AtEnd => _i == _json.Length;

        /// <summary>Consumes <paramref name="b"/> if it is the next token.</summary>
        public bool Take(byte b)
        {
            SkipWhitespace();
            if (_i < _json.Length && _json[_i] == b)
            {
                _i++;
                return true;
            }

            return false;
        }

        /// <summary>A string without escapes (a key).</summary>
        public bool Key(out ReadOnlySpan<byte> key)
        {
            key = default;
            if (!Take((byte)'"'))
            {
                return false;
            }

            var rest = _json[_i..];
            var end = rest.IndexOfAny((byte)'"', (byte)'\\');
            if (end < 0 || rest[end] != (byte)'"')
            {
                return false;
            }

            key = rest[..end];
            _i += end + 1;
            return true;
        }

        /// <summary>A JSON integer (no fraction, no exponent) of at most 18 digits.</summary>
        public bool Integer(out long value)
        {
            value = 0;
            if (!Token(out var text, out var simple) || !simple || text.Contains((byte)'.'))
            {
                return false;
            }

            var negative = text[0] == (byte)'-';
            var digits = negative ? text[1..] : text;
            if (digits.Length > 18)
            {
                return false;
            }

            foreach (var d in digits)
            {
                value = value * 10 + (d - (byte)'0');
            }

            if (negative)
            {
                value = -value;
            }

            return true;
        }

        /// <summary>Any finite JSON number, converted as <see cref="System.Text.Json.Utf8JsonReader.TryGetDouble"/> would.</summary>
        public bool Number(out double value)
        {
            value = 0;
            if (!Token(out var text, out var simple))
            {
                return false;
            }

            if (simple && FastDecimal.TryParse(text, out value))
            {
                return true;
            }

            return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && double.IsFinite(value);
        }

        /// <summary>[n, n, …] into <paramref name="into"/> (cleared first).</summary>
        public bool NumberList(List<double> into)
        {
            into.Clear();
            if (!Take((byte)'['))
            {
                return false;
            }

            if (Take((byte)']'))
            {
                return true;
            }

            do
            {
                if (!Number(out var v))
                {
                    return false;
                }

                into.Add(v);
            }
            while (Take((byte)','));

            return Take((byte)']');
        }

        /// <summary>
        /// The next number token, checked against the JSON grammar -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?
        /// and followed by a delimiter; <paramref name="simple"/> when it has no exponent.
        /// </summary>
        private bool Token(out ReadOnlySpan<byte> text, out bool simple)
        {
            SkipWhitespace();
            text = default;
            simple = true;
            var s = _json;
            var i = _i;
            if (i < s.Length && s[i] == (byte)'-')
            {
                i++;
            }

            if (i >= s.Length || !IsDigit(s[i]))
            {
                return false;
            }

            if (s[i] == (byte)'0')
            {
                i++;
            }
            else
            {
                while (i < s.Length && IsDigit(s[i]))
                {
                    i++;
                }
            }

            if (i < s.Length && s[i] == (byte)'.')
            {
                i++;
                if (i >= s.Length || !IsDigit(s[i]))
                {
                    return false;
                }

                while (i < s.Length && IsDigit(s[i]))
                {
                    i++;
                }
            }

            if (i < s.Length && (s[i] == (byte)'e' || s[i] == (byte)'E'))
            {
                simple = false;
                i++;
                if (i < s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-'))
                {
                    i++;
                }

                if (i >= s.Length || !IsDigit(s[i]))
                {
                    return false;
                }

                while (i < s.Length && IsDigit(s[i]))
                {
                    i++;
                }
            }

            if (i < s.Length && s[i] is not ((byte)',' or (byte)']' or (byte)'}' or (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                return false;
            }

            text = s[_i..i];
            _i = i;
            return true;
        }

        private void SkipWhitespace()
        {
            while (_i < _json.Length && _json[_i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
            {
                _i++;
            }
        }

        private static bool IsDigit(byte b) => (uint)(b - (byte)'0') <= 9;
    }
}
