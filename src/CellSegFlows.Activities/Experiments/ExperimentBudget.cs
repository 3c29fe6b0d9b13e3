using System.Text.Json;
using System.Text.Json.Nodes;

namespace CellSegFlows.Activities.Experiments;

/// <summary>
/// One budget of an experiment, chosen by name from a table of presets (a workflow's <c>presets</c> parameter): how many
/// images, which synthetic densities, and the training settings every U-Net and CenterMask branch of the grid gets. The
/// presets are data in the definition, so a reader sees each budget's numbers where the workflow is; this class only
/// picks one, applies a user's overrides and checks it.
/// </summary>
/// <remarks>
/// A preset is an object with the sections <c>data</c> (<c>trainImagesPerCellType</c>, <c>testImagesPerCellType</c>,
/// <c>sampleWidth</c>, <c>sampleHeight</c>), <c>synthetic</c> (<c>densities</c>, <c>imagesPerCellType</c>,
/// <c>previewDensities</c>), <c>pca</c> (<c>maxImagesPerDataset</c>), <c>unet</c> and <c>centerMask</c> (fields of a
/// TrainUNet or FinetuneCenterMask branch), optionally <c>unetArchitectures</c> (per architecture, fields over
/// <c>unet</c>'s, e.g. the deep U-Nets' smaller learning rate) and <c>description</c>. Every field of <c>data</c>,
/// <c>synthetic</c> and <c>pca</c> must be given; the training sections are checked by the training steps, which
/// name any field they do not have.
/// </remarks>
public sealed record ExperimentBudget
{
    /// <summary>The sections a preset may have.</summary>
    public static IReadOnlyList<string> Sections { get; } = ["description", "data", "synthetic", "pca", "unet", "unetArchitectures", "centerMask"];

    /// <summary>The preset's name.</summary>
    public required string Name { get; init; }

    /// <summary>What it is for, from the preset (may be empty).</summary>
    public required string Description { get; init; }

    /// <summary>Training images kept per cell type (0: all).</summary>
    public required int TrainImagesPerCellType { get; init; }

    /// <summary>Validation and test images kept per cell type (0: all).</summary>
    public required int TestImagesPerCellType { get; init; }

    /// <summary>Width of the procedural sample's images (source <c>sample</c> only).</summary>
    public required int SampleWidth { get; init; }

    /// <summary>Height of the procedural sample's images (source <c>sample</c> only).</summary>
    public required int SampleHeight { get; init; }

    /// <summary>Cells per synthetic image, one synthetic set per level.</summary>
    public required IReadOnlyList<int> Densities { get; init; }

    /// <summary>Synthetic images per cell type and density.</summary>
    public required int SyntheticImagesPerCellType { get; init; }

    /// <summary>The densities of the preview sheet (the paper's Figure 4).</summary>
    public required IReadOnlyList<int> PreviewDensities { get; init; }

    /// <summary>Images per dataset the PCA reads at most.</summary>
    public required int PcaMaxImagesPerDataset { get; init; }

    /// <summary>Fields every U-Net branch gets unless it sets them.</summary>
    public required JsonObject UNet { get; init; }

    /// <summary>Per architecture, fields over <see cref="UNet"/>'s.</summary>
    public required JsonObject UNetArchitectures { get; init; }

    /// <summary>Fields every CenterMask branch gets unless it sets them.</summary>
    public required JsonObject CenterMask { get; init; }

    /// <summary>The preset after overrides, as JSON (what a run records of its budget).</summary>
    public required JsonObject Settings { get; init; }

    /// <summary>
    /// Picks preset <paramref name="name"/> of <paramref name="presets"/>, with <paramref name="overrides"/> merged over it
    /// (objects field by field, any other value replaced), and checks it.
    /// </summary>
    /// <exception cref="ArgumentException">No such preset, or a field missing, unknown or out of range; the message names it.</exception>
    public static ExperimentBudget Select(JsonObject presets, string name, JsonObject? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(presets);
        ArgumentNullException.ThrowIfNull(name);
        if (presets[name] is not JsonObject chosen)
        {
            var known = string.Join(", ", presets.Select(p => p.Key));
            throw new ArgumentException(presets.ContainsKey(name)
                ? $"preset '{name}' is not an object"
                : $"budget '{name}' is not a preset (the presets are: {(known.Length == 0 ? "none" : known)})");
        }

        var settings = (JsonObject)chosen.DeepClone();
        if (overrides is not null)
        {
            Merge(settings, overrides);
        }

        foreach (var (section, _) in settings)
        {
            if (!Sections.Contains(section, StringComparer.Ordinal))
            {
                throw new ArgumentException($"budget '{name}': unknown section '{section}' (a preset has {string.Join(", ", Sections)})");
            }
        }

        var reader = new Reader(name, settings);
        var data = reader.Section("data", "trainImagesPerCellType", "testImagesPerCellType", "sampleWidth", "sampleHeight");
        var synthetic = reader.Section("synthetic", "densities", "imagesPerCellType", "previewDensities");
        var pca = reader.Section("pca", "maxImagesPerDataset");
        return new ExperimentBudget
        {
            Name = name,
            Description = settings["description"] is JsonValue d && d.TryGetValue<string>(out var text) ? text : string.Empty,
            TrainImagesPerCellType = reader.Int(data, "data", "trainImagesPerCellType", 0),
            TestImagesPerCellType = reader.Int(data, "data", "testImagesPerCellType", 0),
            SampleWidth = reader.Int(data, "data", "sampleWidth", 16),
            SampleHeight = reader.Int(data, "data", "sampleHeight", 16),
            Densities = reader.Ints(synthetic, "synthetic", "densities", 1),
            SyntheticImagesPerCellType = reader.Int(synthetic, "synthetic", "imagesPerCellType", 1),
            PreviewDensities = reader.Ints(synthetic, "synthetic", "previewDensities", 1),
            PcaMaxImagesPerDataset = reader.Int(pca, "pca", "maxImagesPerDataset", 1),
            UNet = reader.Object("unet"),
            UNetArchitectures = reader.Object("unetArchitectures"),
            CenterMask = reader.Object("centerMask"),
            Settings = settings,
        };
    }

    /// <summary>
    /// The U-Net branches with this budget's fields: <see cref="UNet"/>, then the branch's architecture's entry of
    /// <see cref="UNetArchitectures"/>, then the branch's own fields (which win).
    /// </summary>
    public IReadOnlyList<JsonObject> UNetBranches(IReadOnlyList<JsonObject> branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        return [.. branches.Select(branch =>
        {
            var architecture = Text(branch, "architecture") ?? Text(UNet, "architecture") ?? "unet";
            var merged = (JsonObject)UNet.DeepClone();
            if (UNetArchitectures[architecture] is JsonObject specific)
            {
                Merge(merged, specific);
            }

            Merge(merged, branch);
            return merged;
        })];
    }

    /// <summary>The CenterMask branches with this budget's fields (<see cref="CenterMask"/>, then the branch's own, which win).</summary>
    public IReadOnlyList<JsonObject> CenterMaskBranches(IReadOnlyList<JsonObject> branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        return [.. branches.Select(branch =>
        {
            var merged = (JsonObject)CenterMask.DeepClone();
            Merge(merged, branch);
            return merged;
        })];
    }

    /// <summary>
    /// The branch that evaluates the LIVECell authors' CenterMask V-99 (the paper's oracle) from their checkpoint: no
    /// training (0 iterations), the checkpoint turned into the model.
    /// </summary>
    public static JsonObject OracleBranch(string name, string weights) => new()
    {
        ["name"] = name, ["architecture"] = "livecell-v99", ["pretrainedWeights"] = weights, ["maxIterations"] = 0,
    };

    /// <summary>Merges <paramref name="over"/> into <paramref name="target"/>: objects field by field, anything else replaced.</summary>
    public static void Merge(JsonObject target, JsonObject over)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(over);
        foreach (var (key, value) in over)
        {
            if (value is JsonObject inner && target[key] is JsonObject existing)
            {
                Merge(existing, inner);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static string? Text(JsonObject o, string field) => o[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private sealed class Reader(string name, JsonObject settings)
    {
        public JsonObject Section(string section, params string[] fields)
        {
            if (settings[section] is not JsonObject o)
            {
                throw new ArgumentException($"budget '{name}': section '{section}' is missing or not an object (it needs {string.Join(", ", fields)})");
            }

            foreach (var (key, _) in o)
            {
                if (!fields.Contains(key, StringComparer.Ordinal))
                {
                    throw new ArgumentException($"budget '{name}': unknown field '{section}.{key}' (the fields are {string.Join(", ", fields)})");
                }
            }

            return o;
        }

        public JsonObject Object(string section) => settings[section] switch
        {
            null => [],
            JsonObject o => (JsonObject)o.DeepClone(),
            var other => throw new ArgumentException($"budget '{name}': '{section}' should be an object, not {other.GetValueKind().ToString().ToLowerInvariant()}"),
        };

        public int Int(JsonObject o, string section, string field, int min)
        {
            var value = o[field] ?? throw new ArgumentException($"budget '{name}': '{section}.{field}' is missing");
            if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<int>(out var n))
            {
                throw new ArgumentException($"budget '{name}': '{section}.{field}' should be a whole number, not {value.ToJsonString()}");
            }

            return n >= min ? n : throw new ArgumentException($"budget '{name}': '{section}.{field}' is {n}; it must be at least {min}");
        }

        public IReadOnlyList<int> Ints(JsonObject o, string section, string field, int min)
        {
            if (o[field] is not JsonArray list || list.Count == 0)
            {
                throw new ArgumentException($"budget '{name}': '{section}.{field}' should be a non-empty list of whole numbers");
            }

            var values = new List<int>();
            foreach (var item in list)
            {
                if (item is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<int>(out var n) || n < min)
                {
                    throw new ArgumentException($"budget '{name}': '{section}.{field}' holds {item?.ToJsonString() ?? "null"}; each must be a whole number of at least {min}");
                }

                values.Add(n);
            }

            return values;
        }
    }
}
