using System.Text;
using System.Text.Json;
using CellSeg.Data;
using CellSeg.Data.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models.CenterMask;

/// <summary>What a CenterMask model file says about its network: enough to rebuild it before reading the weights.</summary>
public sealed record CenterMaskModelHeader
{
    /// <summary>The file format's name and version.</summary>
    public string Format { get; init; } = CenterMaskModelFile.FormatName;

    /// <summary>Every hyperparameter of the network, its input preparation and its inference thresholds.</summary>
    public required CenterMaskConfig Config { get; init; }

    /// <summary>Free-form facts about the training (iterations, seed, data, pretrained weights), for people.</summary>
    public IReadOnlyDictionary<string, string>? Training { get; init; }
}

/// <summary>
/// A trained CenterMask as one file, like the U-Net model file (<see cref="SegmentationModel"/>): the magic line
/// <c>cellseg-centermask/1</c>, a length-prefixed JSON header (<see cref="CenterMaskModelHeader"/>), then TorchSharp's
/// weights (parameters and frozen batch-norm buffers). Written atomically.
/// </summary>
public static class CenterMaskModelFile
{
    internal const string FormatName = "cellseg-centermask/1";
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes(FormatName + "\n");

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (temporary file beside it, then a rename).</summary>
    public static void Save(CenterMaskModel model, string path, IReadOnlyDictionary<string, string>? training = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            var json = JsonSerializer.SerializeToUtf8Bytes(new CenterMaskModelHeader { Config = model.Config, Training = training }, SegmentationModel.JsonOptions);
            writer.Write(json.Length);
            writer.Write(json);
            model.save(writer);
        });
    }

    /// <summary>Reads only the header.</summary>
    /// <exception cref="DataFormatException">Not a CenterMask model file, or a bad header.</exception>
    public static CenterMaskModelHeader ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        using var reader = new BinaryReader(stream);
        return ReadHeader(reader, path);
    }

    /// <summary>Reads a model file onto <paramref name="device"/> (cpu, cuda, cuda:N or auto), in eval mode.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="device">Where the weights go.</param>
    /// <param name="adjust">
    /// Changes to the saved config before the network is built: only inference settings (score threshold, top-k,
    /// test size) may change, since the weights must still fit.
    /// </param>
    /// <exception cref="DataFormatException">Not a CenterMask model file, a bad header, or weights that do not fit it.</exception>
    public static CenterMaskModel Load(string path, string? device = "cpu", Func<CenterMaskConfig, CenterMaskConfig>? adjust = null)
    {
        using var stream = OpenRead(path);
        using var reader = new BinaryReader(stream);
        var header = ReadHeader(reader, path);
        CenterMaskModel model;
        try
        {
            model = new CenterMaskModel(adjust is null ? header.Config : adjust(header.Config));
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(path, "header", $"the config does not describe a CenterMask: {e.Message}", e);
        }

        try
        {
            model.load(reader);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
        {
            model.Dispose();
            throw new DataFormatException(path, "weights", $"the weights do not fit the CenterMask of its header: {e.Message}", e);
        }

        var dev = TorchDevices.Resolve(device);
        if (dev.type != DeviceType.CPU)
        {
            model.to(dev);
        }

        model.eval();
        return model;
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, null, "the CenterMask model file does not exist");
        }

        return File.OpenRead(path);
    }

    private static CenterMaskModelHeader ReadHeader(BinaryReader reader, string path)
    {
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw new DataFormatException(path, null, $"not a CenterMask model file (expected it to start with '{FormatName}')");
        }

        try
        {
            var length = reader.ReadInt32();
            var header = JsonSerializer.Deserialize<CenterMaskModelHeader>(reader.ReadBytes(length), SegmentationModel.JsonOptions)
                         ?? throw new JsonException("empty header");
            return header.Format == FormatName ? header : throw new JsonException($"format '{header.Format}', expected '{FormatName}'");
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException or NotSupportedException)
        {
            throw new DataFormatException(path, "header", e.Message, e);
        }
    }
}
