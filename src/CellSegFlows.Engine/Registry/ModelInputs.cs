using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Registry;

/// <summary>One <c>model://</c> reference of a step's inputs and the version it meant when the step started.</summary>
/// <param name="Input">The input.</param>
/// <param name="Reference">The reference as written.</param>
/// <param name="Version">The version it resolved to.</param>
/// <param name="Artifact">That version's model file.</param>
public sealed record ResolvedModel(string Input, ModelReference Reference, int Version, ArtifactRef Artifact)
{
    /// <summary>For the step's journal.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"input '{Input}': {Reference}{(Reference.Version is null ? " (the champion)" : string.Empty)} is version {Version}, artifact {Artifact.Hash[..12]} ({Artifact.Name})");
}

/// <summary>
/// Replaces <c>model://NAME[@VERSION]</c> in a step's artifact inputs by the registered version's artifact, before the
/// step's cache key is computed: a step that reads the champion is keyed by the champion's bytes, so a new champion is
/// a cache miss, and the journal says which version each reference meant.
/// </summary>
public static class ModelInputs
{
    /// <summary>The inputs with every reference resolved, and what each one meant.</summary>
    /// <exception cref="ModelRegistryException">A reference to a model, version or champion that does not exist, or whose artifact is gone.</exception>
    public static async Task<(JsonObject Inputs, IReadOnlyList<ResolvedModel> Resolved)> ResolveAsync(
        ActivityDescriptor descriptor, JsonObject inputs, ModelRegistry registry, IArtifactStore artifacts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(artifacts);
        List<ResolvedModel>? resolved = null;
        foreach (var port in descriptor.Inputs)
        {
            var artifact = port.Type == DataType.Artifact;
            var list = port.Type.Element == DataType.Artifact;
            if ((!artifact && !list) || inputs[port.Name] is not { } value)
            {
                continue;
            }

            if (artifact && IsReference(value, out var text))
            {
                var (json, model) = await ResolveOneAsync(port.Name, text, registry, artifacts, cancellationToken).ConfigureAwait(false);
                inputs[port.Name] = json;
                (resolved ??= []).Add(model);
            }
            else if (list && value is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    if (IsReference(array[i], out var element))
                    {
                        var (json, model) = await ResolveOneAsync(string.Create(CultureInfo.InvariantCulture, $"{port.Name}[{i}]"), element, registry, artifacts, cancellationToken).ConfigureAwait(false);
                        array[i] = json;
                        (resolved ??= []).Add(model);
                    }
                }
            }
        }

        return (inputs, (IReadOnlyList<ResolvedModel>?)resolved ?? []);
    }

    private static bool IsReference(JsonNode? node, out string text)
    {
        text = string.Empty;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String && ModelReference.LooksLike(v.GetValue<string>()))
        {
            text = v.GetValue<string>();
            return true;
        }

        return false;
    }

    private static async Task<(JsonNode Json, ResolvedModel Model)> ResolveOneAsync(string input, string text, ModelRegistry registry, IArtifactStore artifacts, CancellationToken ct)
    {
        if (!ModelReference.TryParse(text, out var reference))
        {
            throw new ModelRegistryException($"input '{input}': '{text}' is not a model reference: write {ModelReference.Form}");
        }

        ModelVersionRecord version;
        ArtifactRef artifact;
        try
        {
            version = await registry.ResolveAsync(reference!, ct).ConfigureAwait(false);
            artifact = ModelRegistry.ArtifactIn(reference!, version, artifacts);
        }
        catch (ModelRegistryException missing)
        {
            throw new ModelRegistryException($"input '{input}': {missing.Message}");
        }

        return (JsonSerializer.SerializeToNode(artifact, ActivityJson.Options)!, new ResolvedModel(input, reference!, version.Version, artifact));
    }
}
