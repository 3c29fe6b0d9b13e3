using System.Text.Json;
using System.Text.Json.Nodes;
using CellSeg.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CellSeg.Models.Training;

/// <summary>
/// Checkpoints of one training run in a folder: each is a sub-folder <c>step-NNNNNNNNN</c> holding
/// <c>state.json</c> (the trainer's <typeparamref name="TState"/>), <c>weights.bin</c> (TorchSharp module state: parameters and batch-norm statistics)
/// and <c>optimizer.bin</c> (the optimiser's state: momentum and square averages, step counts, LR). A
/// checkpoint is written into a temporary folder and renamed, so a process killed at any point leaves
/// only complete checkpoints; the newest <see cref="Keep"/> are kept. Generic over the trainer's state so the U-Net
/// trainer and CenterMask's iteration-based finetuning share one store.
/// </summary>
/// <typeparam name="TState">The trainer's state record, written as JSON.</typeparam>
public class TrainingCheckpointStore<TState>
    where TState : class, ICheckpointState<TState>
{
    private const string Prefix = "step-";   // folder names as earlier versions wrote them, so their checkpoints are found

    /// <summary>A store in <paramref name="folder"/> (created on the first save).</summary>
    public TrainingCheckpointStore(string folder, int keep = 2)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
        Keep = Math.Max(1, keep);
    }

    /// <summary>The folder.</summary>
    public string Folder { get; }

    /// <summary>How many checkpoints are kept.</summary>
    public int Keep { get; }

    /// <summary>The newest complete checkpoint's folder, or null.</summary>
    public string? LatestFolder()
    {
        if (!Directory.Exists(Folder))
        {
            return null;
        }

        return Directory.EnumerateDirectories(Folder, Prefix + "*")
            .Where(d => long.TryParse(Path.GetFileName(d).AsSpan(Prefix.Length), out _) && File.Exists(Path.Combine(d, "state.json")))
            .OrderByDescending(d => long.Parse(Path.GetFileName(d).AsSpan(Prefix.Length)))
            .FirstOrDefault();
    }

    /// <summary>
    /// Resumes after a crash: loads the newest checkpoint's weights, optimiser state and torch RNG into
    /// <paramref name="model"/> and <paramref name="optimizer"/> and returns its state (continue at its
    /// <see cref="ICheckpointState{TSelf}.Iteration"/>); null when there is none (start at 0).
    /// </summary>
    /// <exception cref="DataFormatException">The newest checkpoint was made by a run with another fingerprint (record "fingerprint"), or does not fit.</exception>
    public TState? Resume(string fingerprint, nn.Module model, OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        if (LatestFolder() is not { } latest)
        {
            return null;
        }

        var saved = ReadState(latest);
        if (saved.Fingerprint != fingerprint)
        {
            throw new DataFormatException(Path.Combine(latest, "state.json"), "fingerprint",
                $"the checkpoint was made by a run with other options ({saved.Fingerprint}); this run: {fingerprint}. Use another checkpoint folder or start afresh");
        }

        return Load(latest, model, optimizer);
    }

    /// <summary>Writes a checkpoint and removes the older ones beyond <see cref="Keep"/>.</summary>
    public string Save(TState state, nn.Module model, OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(state);
        Directory.CreateDirectory(Folder);
        var target = Path.Combine(Folder, $"{Prefix}{state.Iteration:D9}");
        var temp = Path.Combine(Folder, $".tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var withRng = state.WithTorchRngState(Convert.ToBase64String(RngState()));
            model.save(Path.Combine(temp, "weights.bin"));
            optimizer.save_state_dict(Path.Combine(temp, "optimizer.bin"));
            File.WriteAllText(Path.Combine(temp, "state.json"), JsonSerializer.Serialize(withRng, SegmentationModel.JsonOptions));
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);   // the same step saved again (an epoch end right after a periodic checkpoint)
            }

            Directory.Move(temp, target);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }

        foreach (var old in Directory.EnumerateDirectories(Folder, Prefix + "*").Order(StringComparer.Ordinal).SkipLast(Keep))
        {
            Directory.Delete(old, recursive: true);
        }

        return target;
    }

    /// <summary>Reads a checkpoint's state.</summary>
    /// <exception cref="DataFormatException">A missing or unreadable state file.</exception>
    public static TState ReadState(string checkpointFolder)
    {
        var path = Path.Combine(checkpointFolder, "state.json");
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) ?? throw new JsonException("empty state");
            return UpgradeFormerNames(node).Deserialize<TState>(SegmentationModel.JsonOptions)
                   ?? throw new JsonException("empty state");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new DataFormatException(path, "state", e.Message, e);
        }
    }

    /// <summary>
    /// A state written before training counted iterations and F1 by those names (the glossary's renames) read as
    /// today's: <c>step</c> → <c>iteration</c>, <c>bestValidationDice</c> → <c>bestValidationF1</c>, and in each
    /// <c>history</c> entry <c>step</c> → <c>iteration</c>, <c>validationDice</c> → <c>validationF1</c>, so a run
    /// interrupted under the earlier version resumes under this one. A state that has both spellings keeps the new.
    /// </summary>
    private static JsonNode UpgradeFormerNames(JsonNode state)
    {
        if (state is not JsonObject o)
        {
            return state;
        }

        Rename(o, "step", "iteration");
        Rename(o, "bestValidationDice", "bestValidationF1");
        if (o["history"] is JsonArray history)
        {
            foreach (var entry in history.OfType<JsonObject>())
            {
                Rename(entry, "step", "iteration");
                Rename(entry, "validationDice", "validationF1");
            }
        }

        return o;

        static void Rename(JsonObject o, string former, string name)
        {
            if (o.Remove(former, out var value) && !o.ContainsKey(name))
            {
                o[name] = value;
            }
        }
    }

    /// <summary>Loads a checkpoint's weights (and the optimiser's state and torch's RNG when given) in place.</summary>
    /// <exception cref="DataFormatException">Weights or optimiser state that do not fit.</exception>
    public static TState Load(string checkpointFolder, nn.Module model, OptimizerHelper? optimizer = null, bool restoreRng = true)
    {
        var state = ReadState(checkpointFolder);
        var weights = Path.Combine(checkpointFolder, "weights.bin");
        try
        {
            model.load(weights);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            throw new DataFormatException(weights, "weights", $"do not fit this network: {e.Message}", e);
        }

        if (optimizer is not null)
        {
            var path = Path.Combine(checkpointFolder, "optimizer.bin");
            try
            {
                optimizer.load_state_dict(path);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
            {
                throw new DataFormatException(path, "optimizer", $"does not fit this optimiser: {e.Message}", e);
            }
        }

        if (restoreRng && state.TorchRngState is { } rng)
        {
            using var t = torch.tensor(Convert.FromBase64String(rng), ScalarType.Byte);
            torch.set_rng_state(t);
        }

        return state;
    }

    private static byte[] RngState()
    {
        using var state = torch.get_rng_state();
        return state.data<byte>().ToArray();
    }
}
