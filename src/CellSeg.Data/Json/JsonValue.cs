using System.Text.Json;

namespace CellSeg.Data.Json;

/// <summary>Small typed readers over <see cref="Utf8JsonReader"/> that say what they found when the type is wrong.</summary>
internal static class JsonValue
{
    /// <summary>Reads an integral number (5 or 5.0); null with a reason otherwise.</summary>
    public static bool TryInt64(ref Utf8JsonReader reader, out long value, out string? problem)
    {
        problem = null;
        value = 0;
        if (reader.TokenType != JsonTokenType.Number)
        {
            problem = $"must be an integer, found {JsonChunkedReader.Describe(reader.TokenType)}";
            return false;
        }

        if (reader.TryGetInt64(out value))
        {
            return true;
        }

        if (reader.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15)
        {
            value = (long)d;
            return true;
        }

        problem = "must be an integer, found " + JsonChunkedReader.Utf8(reader.ValueSpan);
        return false;
    }

    public static bool TryDouble(ref Utf8JsonReader reader, out double value, out string? problem)
    {
        problem = null;
        value = 0;
        if (reader.TokenType != JsonTokenType.Number)
        {
            problem = $"must be a number, found {JsonChunkedReader.Describe(reader.TokenType)}";
            return false;
        }

        if (!reader.HasValueSequence && FastDecimal.TryParse(reader.ValueSpan, out value))
        {
            return true;
        }

        if (!reader.TryGetDouble(out value) || !double.IsFinite(value))
        {
            problem = "is not a finite number: " + JsonChunkedReader.Utf8(reader.ValueSpan);
            return false;
        }

        return true;
    }

    /// <summary>Reads a list of numbers into <paramref name="into"/> (cleared first).</summary>
    public static bool TryDoubleList(ref Utf8JsonReader reader, List<double> into, out string? problem)
    {
        into.Clear();
        problem = null;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            problem = $"must be a list of numbers, found {JsonChunkedReader.Describe(reader.TokenType)}";
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!TryDouble(ref reader, out var d, out var p))
            {
                problem = $"element {into.Count} {p}";
                reader.Skip();
                SkipRestOfArray(ref reader);
                return false;
            }

            into.Add(d);
        }

        return true;
    }

    /// <summary>Skips to the end of the list whose elements are being read.</summary>
    public static void SkipRestOfArray(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
        }
    }

    /// <summary>Reads 0/1 or true/false.</summary>
    public static bool TryFlag(ref Utf8JsonReader reader, out bool value, out string? problem)
    {
        problem = null;
        value = false;
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                value = true;
                return true;
            case JsonTokenType.False:
                return true;
            case JsonTokenType.Number when reader.TryGetInt32(out var i) && i is 0 or 1:
                value = i == 1;
                return true;
            default:
                problem = "must be 0 or 1, found " + (reader.TokenType == JsonTokenType.Number ? JsonChunkedReader.Utf8(reader.ValueSpan) : JsonChunkedReader.Describe(reader.TokenType));
                return false;
        }
    }
}
