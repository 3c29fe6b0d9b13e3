using System.Text;
using System.Text.Json;

namespace CellSegFlows.Engine.Definitions;

/// <summary>
/// The path of the object or array in which a JSON syntax error sits (<c>nodes[0].inputs</c>), found by reading
/// the text again token by token up to the error. JsonDocument's own exceptions carry line and column but no path.
/// </summary>
internal static class JsonErrorLocator
{
    public static string PathOfError(string json, JsonReaderOptions options)
    {
        var containers = new Stack<(string Path, bool IsArray, int Count)>();
        string? property = null;
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), options);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var path = ValuePath(containers, property);
                        containers.Push((path, reader.TokenType == JsonTokenType.StartArray, 0));
                        property = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        containers.Pop();
                        property = null;
                        break;
                    default:
                        ValuePath(containers, property);
                        property = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Reached the error: the innermost open container is where it is.
        }

        return containers.TryPeek(out var top) && top.Path.Length > 0 ? top.Path : "$";
    }

    /// <summary>The path of the value that starts now; counts it when its container is an array.</summary>
    private static string ValuePath(Stack<(string Path, bool IsArray, int Count)> containers, string? property)
    {
        if (!containers.TryPop(out var parent))
        {
            return "";
        }

        string path;
        if (parent.IsArray)
        {
            path = $"{parent.Path}[{parent.Count}]";
            parent.Count++;
        }
        else
        {
            path = JsonScope.Join(parent.Path, property ?? "");
        }

        containers.Push(parent);
        return path;
    }
}
