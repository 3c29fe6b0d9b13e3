using System.Text.Json;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Triggers;

/// <summary>
/// Reads a triggers file (comments and trailing commas allowed):
/// <code>
/// {
///   "schedules": [ { "id": "nightly", "workflow": "retrain.json", "cron": "0 0 3 * * ?", "parameters": { "epochs": 20 },
///                    "misfire": "fire-once", "allowOverlap": false, "enabled": true } ],
///   "watches":   [ { "id": "new-annotations", "workflow": "evaluate.json", "folder": "../incoming", "glob": "*.json",
///                    "parameterName": "annotations", "parameters": {}, "settle": "2s", "pollInterval": "2s", "enabled": true } ]
/// }
/// </code>
/// Instead of <c>"workflow"</c> (a file), a trigger may name a stored definition: <c>"definition": "ID"</c> (its latest
/// version at each firing) or <c>"definition": "ID@HASH"</c> (that version).
/// Relative paths are relative to the file's folder. Parameter values may be strings or any JSON value
/// (passed on as its JSON text, as <c>--param</c> would). Unknown fields are errors, named by their place.
/// </summary>
internal static class TriggersFile
{
    private static readonly string[] ScheduleFields = ["id", "workflow", "definition", "cron", "parameters", "misfire", "allowOverlap", "enabled"];
    private static readonly string[] WatchFields = ["id", "workflow", "definition", "folder", "glob", "parameterName", "parameters", "settle", "pollInterval", "enabled"];

    public sealed record Content(string Path, List<(string Where, ScheduleSpec Spec)> Schedules, List<(string Where, FileWatchSpec Spec)> Watches);

    public static async Task<Content> ReadAsync(string path, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(full, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TriggerDefinitionException(full, "$", $"cannot read the triggers file: {ex.Message}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new TriggerDefinitionException(full, "$", $"not valid JSON (line {ex.LineNumber + 1}): {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            var reader = new Reader(full, Path.GetDirectoryName(full)!);
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw reader.Error("$", "must be an object with \"schedules\" and/or \"watches\"");
            }

            reader.OnlyFields(root, "$", ["$schema", "schedules", "watches"]);
            var content = new Content(full, [], []);
            var i = 0;
            foreach (var item in reader.Array(root, "schedules"))
            {
                var where = $"schedules[{i++}]";
                reader.OnlyFields(item, where, ScheduleFields);
                var (definition, pinned) = reader.Definition(item, where);
                content.Schedules.Add((where, new ScheduleSpec(reader.Required(item, where, "id"), reader.OptionalPathOf(item, where, "workflow"), reader.Required(item, where, "cron"))
                {
                    Definition = definition,
                    PinnedVersion = pinned,
                    Parameters = reader.Parameters(item, where),
                    Misfire = reader.Misfire(item, where),
                    AllowOverlap = reader.Bool(item, where, "allowOverlap", false),
                    Enabled = reader.Bool(item, where, "enabled", true),
                }));
            }

            i = 0;
            foreach (var item in reader.Array(root, "watches"))
            {
                var where = $"watches[{i++}]";
                reader.OnlyFields(item, where, WatchFields);
                var (definition, pinned) = reader.Definition(item, where);
                content.Watches.Add((where, new FileWatchSpec(reader.Required(item, where, "id"), reader.OptionalPathOf(item, where, "workflow"), reader.PathOf(item, where, "folder"), reader.Required(item, where, "parameterName"))
                {
                    Definition = definition,
                    PinnedVersion = pinned,
                    Glob = reader.OptionalString(item, where, "glob") ?? "*.json",
                    Parameters = reader.Parameters(item, where),
                    Settle = reader.Duration(item, where, "settle") ?? FileWatchSpec.DefaultInterval,
                    PollInterval = reader.Duration(item, where, "pollInterval") ?? FileWatchSpec.DefaultInterval,
                    Enabled = reader.Bool(item, where, "enabled", true),
                }));
            }

            return content;
        }
    }

    private sealed class Reader(string file, string folder)
    {
        public TriggerDefinitionException Error(string field, string reason) => new(file, field, reason);

        public void OnlyFields(JsonElement element, string where, string[] allowed)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error(where, "must be an object");
            }

            foreach (var property in element.EnumerateObject())
            {
                if (!allowed.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw Error($"{where}.{property.Name}", $"unknown field (expected one of: {string.Join(", ", allowed)})");
                }
            }
        }

        public IEnumerable<JsonElement> Array(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : throw Error(name, "must be a list");
        }

        public string Required(JsonElement item, string where, string name) =>
            OptionalString(item, where, name) ?? throw Error($"{where}.{name}", "is required");

        public string? OptionalString(JsonElement item, string where, string name)
        {
            if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Error($"{where}.{name}", "must be a string");
        }

        public string PathOf(JsonElement item, string where, string name) => Path.GetFullPath(Required(item, where, name), folder);

        public string? OptionalPathOf(JsonElement item, string where, string name) =>
            OptionalString(item, where, name) is { } path ? Path.GetFullPath(path, folder) : null;

        public (string? WorkflowId, string? PinnedVersion) Definition(JsonElement item, string where) =>
            OptionalString(item, where, "definition") is { } text ? DefinitionReference.Parse(text) : (null, null);

        public bool Bool(JsonElement item, string where, string name, bool fallback)
        {
            if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return fallback;
            }

            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error($"{where}.{name}", "must be true or false"),
            };
        }

        public TimeSpan? Duration(JsonElement item, string where, string name)
        {
            var text = OptionalString(item, where, name);
            if (text is null)
            {
                return null;
            }

            return DurationText.TryParse(text, out var duration) ? duration : throw Error($"{where}.{name}", $"'{text}' is not a duration: {DurationText.Forms}");
        }

        public MisfirePolicy Misfire(JsonElement item, string where)
        {
            var text = OptionalString(item, where, "misfire");
            if (text is null)
            {
                return MisfirePolicy.Skip;
            }

            return MisfireText.TryRead(text, out var policy) ? policy : throw Error($"{where}.misfire", $"must be {MisfireText.Forms}, not '{text}'");
        }

        public Dictionary<string, string> Parameters(JsonElement item, string where)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (!item.TryGetProperty("parameters", out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return result;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                throw Error($"{where}.parameters", "must be an object of NAME: value");
            }

            foreach (var property in value.EnumerateObject())
            {
                result[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }

            return result;
        }
    }
}
