using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CellSegFlows.Engine.Activities;

namespace CellSegFlows.Engine.Definitions;

/// <summary>A definition brought up to the catalog's current port names, and what was renamed.</summary>
/// <param name="Json">The definition to read: the input itself when nothing was renamed (so line numbers stay true).</param>
/// <param name="Warnings">One deprecation warning per renamed input or output reference, naming the node, the old and the new name.</param>
public sealed record UpgradedDefinition(string Json, IReadOnlyList<DefinitionProblem> Warnings);

/// <summary>
/// Renames of ports (<see cref="PortAttribute.FormerNames"/>) applied to a definition before it is read: a node input
/// written under a former name is moved to the current one, and <c>${nodes.N.OLD}</c> of a renamed output is rewritten
/// to <c>${nodes.N.NEW}</c> wherever it appears. Each rename is a warning, so a definition keeps running for one version
/// after a rename while its author is told what to change; a definition saved after the upgrade is stored in the new
/// spelling. Text that is not valid JSON is returned as it is (the reader then reports it).
/// </summary>
public static partial class DefinitionUpgrade
{
    /// <summary>Upgrades <paramref name="json"/> against <paramref name="catalog"/>.</summary>
    public static UpgradedDefinition Apply(string json, IActivityCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(catalog);
        if (!catalog.All.Any(a => a.Inputs.Any(p => p.FormerNames.Count > 0) || a.Outputs.Any(p => p.FormerNames.Count > 0)))
        {
            return new UpgradedDefinition(json, []);
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            return new UpgradedDefinition(json, []);
        }

        if (root is not JsonObject definition || definition["nodes"] is not JsonArray nodes)
        {
            return new UpgradedDefinition(json, []);
        }

        var warnings = new List<DefinitionProblem>();
        var renamedOutputs = new Dictionary<(string Node, string Old), string>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i] is not JsonObject node || node["id"]?.GetValueKind() != JsonValueKind.String || node["activity"]?.GetValueKind() != JsonValueKind.String)
            {
                continue;
            }

            var id = node["id"]!.GetValue<string>();
            if (catalog.Find(node["activity"]!.GetValue<string>()) is not { } activity)
            {
                continue;
            }

            if (node["inputs"] is JsonObject inputs)
            {
                foreach (var port in activity.Inputs)
                {
                    foreach (var former in port.FormerNames.Where(f => inputs.ContainsKey(f)))
                    {
                        var field = $"nodes[{i}].inputs.{former}";
                        if (inputs.ContainsKey(port.Name))
                        {
                            warnings.Add(new DefinitionProblem(id, field, $"deprecated input '{former}' is ignored: '{port.Name}' (its new name) is also given"));
                            inputs.Remove(former);
                            continue;
                        }

                        var value = inputs[former];
                        inputs.Remove(former);
                        inputs[port.Name] = value;
                        warnings.Add(new DefinitionProblem(id, field, $"input '{former}' of {activity.Type} is now '{port.Name}': the old name is accepted until the next version"));
                    }
                }
            }

            foreach (var port in activity.Outputs)
            {
                foreach (var former in port.FormerNames)
                {
                    renamedOutputs[(id, former)] = port.Name;
                }
            }
        }

        if (renamedOutputs.Count > 0)
        {
            Rewrite(definition, "$", renamedOutputs, warnings);
        }

        return warnings.Count == 0 ? new UpgradedDefinition(json, []) : new UpgradedDefinition(definition.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), warnings);
    }

    private static void Rewrite(JsonNode node, string path, Dictionary<(string Node, string Old), string> renamed, List<DefinitionProblem> warnings)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                    {
                        o[key] = RewriteText(v.GetValue<string>(), $"{path}.{key}", renamed, warnings);
                    }
                    else if (value is not null)
                    {
                        Rewrite(value, $"{path}.{key}", renamed, warnings);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                    {
                        a[i] = RewriteText(v.GetValue<string>(), $"{path}[{i}]", renamed, warnings);
                    }
                    else if (a[i] is { } item)
                    {
                        Rewrite(item, $"{path}[{i}]", renamed, warnings);
                    }
                }

                break;
        }
    }

    private static string RewriteText(string text, string path, Dictionary<(string Node, string Old), string> renamed, List<DefinitionProblem> warnings) =>
        OutputReference().Replace(text, m =>
        {
            var node = m.Groups["node"].Value;
            var output = m.Groups["output"].Value;
            if (!renamed.TryGetValue((node, output), out var now))
            {
                return m.Value;
            }

            warnings.Add(new DefinitionProblem(node, path.TrimStart('$', '.'), $"output '{output}' of node '{node}' is now '{now}': ${{nodes.{node}.{output}}} is accepted until the next version"));
            return $"${{nodes.{node}.{now}}}";
        });

    [GeneratedRegex(@"\$\{nodes\.(?<node>[A-Za-z_][A-Za-z0-9_-]*)\.(?<output>[A-Za-z_][A-Za-z0-9_-]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex OutputReference();
}
