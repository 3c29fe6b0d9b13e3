using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Engine.Runtime;

/// <summary>
/// A step's cache key: the activity and its version, the inputs, and, for every input declared as a file or folder to
/// read (or a local download source), what that file or folder holds now. The same path with other content is a
/// miss; a file touched but identical is a hit. The fingerprint (one short digest per input) goes to the journal, so
/// the next miss can say which input changed.
/// </summary>
internal static class CacheKeys
{
    /// <summary>The key and the per-input digests.</summary>
    /// <param name="activity">The step's activity (its ports say which inputs are host paths).</param>
    /// <param name="inputs">The step's inputs, host paths already resolved.</param>
    /// <param name="hasher">Null for a node that does not use the cache: its key is recorded but file contents are not read.</param>
    /// <param name="ct">Cancels hashing.</param>
    public static (string Key, JsonObject Fingerprint) Compute(ActivityDescriptor activity, JsonObject inputs, ContentHasher? hasher, CancellationToken ct)
    {
        var fingerprint = new JsonObject();
        var contents = new JsonObject();
        foreach (var port in activity.Inputs)
        {
            var value = inputs[port.Name];
            fingerprint[port.Name] = value is null ? "default" : "value:" + CanonicalJson.Sha256(CanonicalJson.Write(value))[..16];
            if (hasher is not null && value is JsonValue v && v.TryGetValue<string>(out var path) && path.Length > 0 && ReadsContent(port.Kind, path))
            {
                var digest = hasher.Digest(path.StartsWith("file://", StringComparison.Ordinal) ? new Uri(path).LocalPath : path, ct);
                contents[port.Name] = digest;
                fingerprint[port.Name] = $"{fingerprint[port.Name]!.GetValue<string>()} {digest}";
            }
        }

        hasher?.Save();
        var text = $"{activity.Type}@{activity.Version}\n{CanonicalJson.Write(inputs)}";
        // Without host-path inputs the key is what it always was, so existing cache entries stay valid.
        return (CanonicalJson.Sha256(contents.Count == 0 ? text : $"{text}\n{CanonicalJson.Write(contents)}"), fingerprint);
    }

    /// <summary>Why this fingerprint missed, against the latest earlier one of the same node of the same workflow.</summary>
    public static string ExplainMiss(JsonObject now, JsonObject? before, string? beforeStep)
    {
        if (before is null)
        {
            return "no earlier step of this node to compare with";
        }

        var changed = now.Select(p => p.Key).Union(before.Select(p => p.Key))
            .Where(name => now[name]?.GetValue<string>() != before[name]?.GetValue<string>())
            .Select(name => $"input '{name}' changed ({Describe(before[name])} → {Describe(now[name])})")
            .ToList();
        return changed.Count > 0
            ? $"{string.Join("; ", changed)} since step {beforeStep}"
            : $"same inputs as step {beforeStep}, whose outputs are not reusable (it failed, was not cached, or its artifacts are gone), or the activity's version changed";
    }

    private static bool ReadsContent(PortKind kind, string value) => kind switch
    {
        PortKind.FileToRead or PortKind.FolderToRead => true,
        PortKind.Source => !value.Contains("://", StringComparison.Ordinal) || value.StartsWith("file://", StringComparison.Ordinal),
        _ => false,
    };

    private static string Describe(JsonNode? digest)
    {
        var text = digest?.GetValue<string>() ?? "absent";
        // "value:abcd… file:0123…" → "file 0123456789ab"; keep it short in the journal line.
        var content = text.Split(' ').LastOrDefault(p => p.StartsWith("file:", StringComparison.Ordinal) || p.StartsWith("folder:", StringComparison.Ordinal));
        if (content is not null)
        {
            var colon = content.IndexOf(':', StringComparison.Ordinal);
            var count = text.Contains(" files)", StringComparison.Ordinal) ? " " + text[text.LastIndexOf('(')..] : string.Empty;
            return $"{content[..colon]} content {content[(colon + 1)..Math.Min(content.Length, colon + 13)]}{count}";
        }

        return text.StartsWith("value:", StringComparison.Ordinal) ? $"value {text[6..]}" : text;
    }
}
