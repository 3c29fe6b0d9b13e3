using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Access;

/// <summary>
/// Checks every input an activity declares as a host path or a source (<see cref="PortKind"/>) against the step's
/// <see cref="HostAccess"/> and replaces it with the resolved value, before the step runs (and before its cache
/// key is made): activities get only what the policy allows, without each having to ask.
/// </summary>
internal static class HostInputs
{
    /// <exception cref="HostAccessException">A value the policy refuses (the message names the input and the rule).</exception>
    public static JsonObject Resolve(ActivityDescriptor activity, JsonObject inputs, HostAccess access)
    {
        var resolved = (JsonObject)inputs.DeepClone();
        // Folders first: a relative path may be relative to one of them.
        foreach (var port in activity.Inputs.Where(p => p.Kind != PortKind.Value).OrderBy(p => p.RelativeTo is null ? 0 : 1))
        {
            if (resolved[port.Name] is not JsonValue value || !value.TryGetValue<string>(out var text) || text.Length == 0)
            {
                continue;   // not given (the activity's default applies) or empty (the activity's "none")
            }

            var relativeTo = port.RelativeTo is { } folder && resolved[folder] is JsonValue f && f.TryGetValue<string>(out var folderPath) && folderPath.Length > 0
                ? folderPath
                : null;
            resolved[port.Name] = port.Kind switch
            {
                PortKind.FileToRead or PortKind.FolderToRead => access.ResolvePath(text, HostPathUse.Read, port.Name, relativeTo),
                PortKind.FolderToWrite => access.ResolvePath(text, HostPathUse.Write, port.Name, relativeTo),
                PortKind.Source => IsUrl(text) ? access.CheckSource(text, port.Name).ToString() : access.CheckSource(text, port.Name).LocalPath,
                _ => text,
            };
        }

        return resolved;
    }

    private static bool IsUrl(string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Scheme) && text.Contains("://", StringComparison.Ordinal);
}
