using System.Collections;
using CellSeg.Data;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CellSeg.Models.Weights;

/// <summary>
/// Reads the tensors of a PyTorch weight file: <c>torch.save</c>'s zip format through TorchSharp.PyBridge (a bare
/// <c>state_dict</c>, or a detectron2/centermask2 checkpoint with the state dict under <c>"model"</c>: PyBridge
/// unpickles the outer dict as a hashtable holding the inner one, so only the key lookup is done here), and
/// detectron2's <c>.pkl</c> backbones (a plain pickle of numpy arrays under <c>"model"</c> or <c>"blobs"</c>), read
/// with the same pickle reader and numpy constructors of our own (<see cref="NumpyPickle"/>), which also let
/// checkpoints hold numpy values beside the weights. Not read: PyTorch's pre-1.6 legacy format (re-save it with a
/// current <c>torch.save</c>) and whole pickled modules (save the <c>state_dict</c>).
/// </summary>
public static class PyTorchCheckpointReader
{
    /// <summary>Keys under which training checkpoints keep the model's state dict, in the order tried.</summary>
    public static IReadOnlyList<string> NestedKeys { get; } = ["model", "state_dict", "blobs"];

    /// <summary>Reads every tensor of <paramref name="path"/> by name; the caller disposes them.</summary>
    /// <exception cref="DataFormatException">The file is missing, truncated, not a torch zip, or holds no state dict.</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        NumpyPickle.Register();
        Hashtable root;
        try
        {
            using var stream = File.OpenRead(path);
            root = Signature(stream) switch
            {
                FileKind.Zip => PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false),
                FileKind.Pickle => ReadPlainPickle(path, stream),
                _ => throw new DataFormatException(path, null, "not a PyTorch checkpoint (neither torch.save's zip format nor a pickle)"),
            };
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
            // PyBridge and the pickle reader fail with many types (zip, end of stream, cast, pickle, not implemented);
            // for the user they are all one thing: this file cannot be read.
            throw new DataFormatException(path, null, $"not a readable PyTorch checkpoint (truncated or corrupt?): {e.Message}", e);
        }

        var dict = NestedKeys.Select(k => root.ContainsKey(k) ? root[k] as Hashtable : null).FirstOrDefault(h => h is not null) ?? root;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dict)
        {
            if (entry.Key is not string name)
            {
                continue;
            }

            if (entry.Value is Tensor tensor)
            {
                tensors[name] = tensor;
            }
            else if (entry.Value is NumpyPickle.NumpyArray array)
            {
                try
                {
                    tensors[name] = array.ToTensor();
                }
                catch (NotSupportedException e)
                {
                    throw new DataFormatException(path, $"tensor '{name}'", $"cannot be read: {e.Message}", e);
                }
            }
        }

        if (tensors.Count == 0)
        {
            throw new DataFormatException(path, null, $"holds no tensors at its top level or under {string.Join(" or ", NestedKeys.Select(k => $"'{k}'"))}");
        }

        return tensors;
    }

    private enum FileKind
    {
        Other,
        Zip,
        Pickle,
    }

    private static FileKind Signature(Stream stream)
    {
        Span<byte> head = stackalloc byte[4];
        var read = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        stream.Seek(0, SeekOrigin.Begin);
        if (read == 4 && head[0] == 0x50 && head[1] == 0x4b && head[2] == 0x03 && head[3] == 0x04)
        {
            return FileKind.Zip;
        }

        return read >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5 ? FileKind.Pickle : FileKind.Other;   // PROTO opcode, protocols 2–5
    }

    private static Hashtable ReadPlainPickle(string path, Stream stream)
    {
        using var unpickler = new Razorvine.Pickle.Unpickler();
        return unpickler.load(stream) switch
        {
            Hashtable h => h,

            // torch.save's legacy format starts with a pickled magic number, not a dict.
            long or int or System.Numerics.BigInteger => throw new DataFormatException(path, null,
                "PyTorch's legacy (pre-1.6) format is not read; re-save it with a current torch.save"),
            var other => throw new DataFormatException(path, null, $"the pickle holds a {other?.GetType().Name ?? "null"}, not a dict of weights"),
        };
    }
}
