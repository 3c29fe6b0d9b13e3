using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// One text per JSON value, for hashing: object keys sorted ordinally, no whitespace. The engine's two
/// hashes each keep the text they have always had, so that stored hashes stay valid:
/// <list type="bullet">
/// <item><see cref="Write(JsonElement)"/>, definition hashes: repeated keys keep their order, numbers
/// exactly as written, strings re-escaped by one fixed rule (only <c>"</c>, <c>\</c> and control
/// characters are escaped; <c>\u00XX</c> in lowercase hex, or <c>\b \f \n \r \t</c>). Written by hand
/// rather than with a JSON writer so that the text cannot change with a runtime's encoder settings.</item>
/// <item><see cref="Write(JsonNode?)"/>, step-cache keys: leaves as <see cref="Utf8JsonWriter"/> writes
/// them with its default encoder.</item>
/// </list>
/// </summary>
internal static class CanonicalJson
{
    /// <summary>The canonical text of a parsed value (definition hashes).</summary>
    public static string Write(JsonElement element)
    {
        var text = new StringBuilder();
        Write(element, text);
        return text.ToString();
    }

    /// <summary>The canonical text of a JSON tree, leaves as <see cref="Utf8JsonWriter"/> writes them (step-cache keys).</summary>
    public static string Write(JsonNode? node)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            Write(w, node);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>SHA-256 of the UTF-8 text, in lowercase hex.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static void Write(Utf8JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null:
                w.WriteNullValue();
                break;
            case JsonObject o:
                w.WriteStartObject();
                foreach (var (key, value) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(key);
                    Write(w, value);
                }

                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (var item in a)
                {
                    Write(w, item);
                }

                w.WriteEndArray();
                break;
            default:
                node.WriteTo(w);
                break;
        }
    }

    private static void Write(JsonElement element, StringBuilder text)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        text.Append(',');
                    }

                    first = false;
                    WriteString(property.Name, text);
                    text.Append(':');
                    Write(property.Value, text);
                }

                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (index++ > 0)
                    {
                        text.Append(',');
                    }

                    Write(item, text);
                }

                text.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!, text);
                break;
            case JsonValueKind.Number:
                text.Append(element.GetRawText());
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            default:
                text.Append("null");
                break;
        }
    }

    private static void WriteString(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\b':
                    text.Append("\\b");
                    break;
                case '\f':
                    text.Append("\\f");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case < ' ':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        text.Append('"');
    }
}
