using System.Collections;
using CellSeg.Data;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CellSeg.Models.Weights;

/// <summary>
/// Reads the tensors of a PyTorch checkpoint file (<c>torch.save</c>'s zip format) with TorchSharp.PyBridge: a bare
/// <c>state_dict</c>, or a detectron2/centermask2 checkpoint where the state dict sits under <c>"model"</c>
/// (<c>{"model": state_dict, "iteration": …}</c>; <c>"state_dict"</c> is accepted too). PyBridge unpickles the
/// outer dict as a hashtable with the inner state dict as a nested one, so the nested form needs only the key lookup
/// done here. Not read: detectron2's ImageNet backbone <c>.pkl</c> files (a plain pickle of numpy arrays, not a
/// torch zip) and PyTorch's pre-1.6 legacy format: convert them once in Python with
/// <c>torch.save({k: torch.as_tensor(v) for k, v in pickle.load(f)["model"].items()}, "backbone.pth")</c>.
/// </summary>
public static class PyTorchCheckpointReader
{
    /// <summary>Keys under which training checkpoints keep the model's state dict, in the order tried.</summary>
    public static IReadOnlyList<string> NestedKeys { get; } = ["model", "state_dict"];

    /// <summary>Reads every tensor of <paramref name="path"/> by name; the caller disposes them.</summary>
    /// <exception cref="DataFormatException">The file is missing, truncated, not a torch zip, or holds no state dict.</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Hashtable root;
        try
        {
            using var stream = File.OpenRead(path);
            if (!IsZip(stream))
            {
                throw new DataFormatException(path, null, path.EndsWith(".pkl", StringComparison.OrdinalIgnoreCase)
                    ? "a detectron2 .pkl (pickled numpy) file is not read; convert it to a torch .pth file (see the README, CenterMask weights)"
                    : "not a PyTorch checkpoint in torch.save's zip format (legacy or foreign file; re-save it with a current torch.save)");
            }

            root = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false);
        }
        catch (DataFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, null, "file not found", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            // PyBridge and the pickle reader fail with many types (zip, end of stream, cast, not implemented);
            // for the user they are all one thing: this file cannot be read.
            throw new DataFormatException(path, null, $"not a readable PyTorch checkpoint (truncated or corrupt?): {e.Message}", e);
        }

        var dict = NestedKeys.Select(k => root.ContainsKey(k) ? root[k] as Hashtable : null).FirstOrDefault(h => h is not null) ?? root;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dict)
        {
            if (entry.Key is string name && entry.Value is Tensor tensor)
            {
                tensors[name] = tensor;
            }
        }

        if (tensors.Count == 0)
        {
            throw new DataFormatException(path, null, $"holds no tensors at its top level or under {string.Join(" or ", NestedKeys.Select(k => $"'{k}'"))}");
        }

        return tensors;
    }

    private static bool IsZip(Stream stream)
    {
        Span<byte> signature = stackalloc byte[4];
        var read = stream.ReadAtLeast(signature, 4, throwOnEndOfStream: false);
        stream.Seek(0, SeekOrigin.Begin);
        return read == 4 && signature[0] == 0x50 && signature[1] == 0x4b && signature[2] == 0x03 && signature[3] == 0x04;
    }
}
