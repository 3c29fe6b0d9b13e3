using CellSeg.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.Weights;

/// <summary>
/// Loads PyTorch checkpoint files (<see cref="PyTorchCheckpointReader"/>) into any TorchSharp module through a
/// <see cref="ParameterNameMap"/>, checking each tensor's shape against the module's parameters and buffers.
/// Strict: all or nothing, a <see cref="WeightLoadException"/> listing every problem. Lenient: copies what fits and
/// reports the rest (finetuning from COCO weights, where the class-specific heads differ).
/// </summary>
public static class WeightLoader
{
    /// <summary>Loads <paramref name="path"/> into <paramref name="module"/>.</summary>
    /// <param name="module">The network; its parameters and buffers (e.g. frozen batch-norm statistics) are the targets.</param>
    /// <param name="path">A <c>torch.save</c> file: a bare state dict, or a detectron2 checkpoint with it under "model".</param>
    /// <param name="map">Name map; null: names as they are.</param>
    /// <param name="strict">Throw unless every tensor fits, copying nothing; false: copy what fits and report the rest.</param>
    /// <returns>What was loaded and what was not.</returns>
    /// <exception cref="DataFormatException">The file cannot be read.</exception>
    /// <exception cref="WeightLoadException">Strict mode and the tensors do not fit.</exception>
    public static WeightLoadReport Load(nn.Module module, string path, ParameterNameMap? map = null, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var tensors = PyTorchCheckpointReader.ReadStateDict(path);
        try
        {
            return Apply(module, tensors, path, map, strict);
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>The same from tensors already read (by name as in <paramref name="sourceName"/>); the caller keeps ownership of them.</summary>
    public static WeightLoadReport Apply(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string sourceName, ParameterNameMap? map = null, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(tensors);
        map ??= ParameterNameMap.Identity;
        var targets = module.state_dict();
        var loaded = new List<string>();
        var unexpected = new List<string>();
        var ignored = new List<string>();
        var mismatched = new List<ShapeMismatch>();
        var pairs = new List<(Tensor Target, Tensor Source)>();
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (fileName, source) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var name = map.Map(fileName);
            if (name is null)
            {
                ignored.Add(fileName);
                continue;
            }

            if (!targets.TryGetValue(name, out var target))
            {
                unexpected.Add(fileName);
                continue;
            }

            if (!claimed.Add(name))
            {
                unexpected.Add(fileName);   // two file tensors mapped to one module tensor: the map is wrong
                continue;
            }

            if (!source.shape.SequenceEqual(target.shape))
            {
                mismatched.Add(new ShapeMismatch(name, fileName, source.shape, target.shape));
                continue;
            }

            pairs.Add((target, source));
            loaded.Add(name);
        }

        var missing = targets.Keys.Where(k => !claimed.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var report = new WeightLoadReport(sourceName, loaded, missing, unexpected, mismatched, ignored);
        if (strict && !report.IsExact)
        {
            throw new WeightLoadException(report);
        }

        using (torch.no_grad())
        {
            foreach (var (target, source) in pairs)
            {
                target.copy_(source);   // copy_ converts dtype (e.g. a half-precision file) and device
            }
        }

        return report;
    }
}
