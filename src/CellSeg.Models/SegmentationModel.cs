using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CellSeg.Data;
using CellSeg.Data.IO;
using CellSeg.Models.Data;
using CellSeg.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace CellSeg.Models;

/// <summary>What a model file says about its network, so it can be loaded without knowing the architecture.</summary>
public sealed record ModelHeader
{
    /// <summary>The file format's name and version.</summary>
    public string Format { get; init; } = SegmentationModel.FormatName;

    /// <summary>One of <see cref="UNetArchitectures"/>.</summary>
    public string Architecture { get; init; } = string.Empty;

    // Model files written before the glossary's renames call the architecture "variant"; read, never written.
    [JsonInclude, JsonPropertyName("variant")]
    private string? FormerVariant { get => null; init => Architecture = value ?? Architecture; }

    /// <summary>The network's shape (for an ensemble: each member's).</summary>
    public required UNetOptions Options { get; init; }

    /// <summary>The ensemble's cell types, one member each; null for single networks.</summary>
    public IReadOnlyList<string>? CellTypes { get; init; }

    /// <summary>Normalisation of the input pixels the network was trained with.</summary>
    public IntensityNormalization Normalization { get; init; } = IntensityNormalization.Livecell;

    /// <summary>Free-form facts about the training (iterations, validation F1, seed, data), for people.</summary>
    public IReadOnlyDictionary<string, string>? Training { get; init; }
}

/// <summary>
/// A segmentation network with its header: a U-Net, a deep U-Net or a deep U-Net ensemble on a device.
/// Saved as one file: the magic line <c>cellseg-model/1</c>, a length-prefixed JSON header, then
/// TorchSharp's weights (parameters and batch-norm statistics).
/// </summary>
public sealed class SegmentationModel : IDisposable
{
    internal const string FormatName = "cellseg-model/1";
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes(FormatName + "\n");
    private static readonly Lock SeedLock = new();

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private SegmentationModel(ModelHeader header, nn.Module<Tensor, Tensor> network, Device device)
    {
        Header = header;
        Network = network;
        Device = device;
    }

    /// <summary>Architecture, shape, cell types and normalisation.</summary>
    public ModelHeader Header { get; private set; }

    /// <summary>The TorchSharp module (<see cref="UNet"/> or <see cref="UNetEnsemble"/>).</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>Where the weights live.</summary>
    public Device Device { get; }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount => Network.parameters().Sum(p => p.numel());

    /// <summary>
    /// A new model with initial weights drawn after <c>torch.manual_seed(seed)</c>, so equal seeds give equal weights.
    /// </summary>
    /// <param name="architecture">One of <see cref="UNetArchitectures"/>.</param>
    /// <param name="shape">Depth, width, upsampling; the deep architectures add their extra levels (<see cref="UNetArchitectures.OptionsFor"/>).</param>
    /// <param name="cellTypes">The ensemble's members (required for <see cref="UNetArchitectures.DeepUNetEnsemble"/>).</param>
    /// <param name="device">cpu, cuda, cuda:N or auto.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    /// <param name="normalization">Input normalisation (default: LIVECell's).</param>
    public static SegmentationModel Create(string architecture, UNetOptions? shape = null, IReadOnlyList<string>? cellTypes = null,
        string? device = "cpu", long seed = 0, IntensityNormalization? normalization = null)
    {
        var options = UNetArchitectures.OptionsFor(architecture, shape);
        if (architecture == UNetArchitectures.DeepUNetEnsemble && (cellTypes is null || cellTypes.Count == 0))
        {
            throw new ArgumentException("a deep-unet-ensemble needs its cell types", nameof(cellTypes));
        }

        var header = new ModelHeader
        {
            Architecture = architecture,
            Options = options,
            CellTypes = architecture == UNetArchitectures.DeepUNetEnsemble ? [.. cellTypes!] : null,
            Normalization = normalization ?? IntensityNormalization.Livecell,
        };
        var dev = TorchDevices.Resolve(device);

        // torch's generator is process-wide: seeding and drawing the initial weights must not interleave
        // with another thread's (two trainings in one worker process).
        lock (SeedLock)
        {
            torch.manual_seed(seed);
            return new SegmentationModel(header, Build(header), dev).MoveTo(dev);
        }
    }

    /// <summary>
    /// Joins trained single networks (one per cell type, equal shapes) into one ensemble model; the weights
    /// are copied, the members stay usable.
    /// </summary>
    public static SegmentationModel Ensemble(IReadOnlyDictionary<string, SegmentationModel> members, string? device = "cpu")
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("an ensemble needs at least one member", nameof(members));
        }

        var first = members.Values.First();
        foreach (var (cellType, member) in members)
        {
            if (member.Network is not UNet || !SameShape(member.Header.Options, first.Header.Options))
            {
                throw new ArgumentException($"ensemble member '{cellType}' is not a single network of the same shape as the others");
            }
        }

        var header = new ModelHeader
        {
            Architecture = UNetArchitectures.DeepUNetEnsemble,
            Options = first.Header.Options,
            CellTypes = [.. members.Keys],
            Normalization = first.Header.Normalization,
        };
        var dev = TorchDevices.Resolve(device);
        var ensemble = (UNetEnsemble)Build(header);
        using (no_grad())
        {
            foreach (var (cellType, member) in members)
            {
                var source = member.Network.state_dict();
                var target = ensemble.Member(cellType).state_dict();
                foreach (var (name, tensor) in source)
                {
                    target[name].copy_(tensor.cpu());
                }
            }
        }

        return new SegmentationModel(header, ensemble, dev).MoveTo(dev);
    }

    /// <summary>Reads a model file onto a device.</summary>
    /// <exception cref="DataFormatException">Not a model file, a bad header, or weights that do not fit it.</exception>
    public static SegmentationModel Load(string path, string? device = "cpu")
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw new DataFormatException(path, null, $"not a CellSeg model file (expected it to start with '{FormatName}')");
        }

        ModelHeader header;
        try
        {
            var length = reader.ReadInt32();
            header = JsonSerializer.Deserialize<ModelHeader>(reader.ReadBytes(length), JsonOptions)
                     ?? throw new JsonException("empty header");
            if (!UNetArchitectures.All.Contains(header.Architecture))
            {
                throw new JsonException($"unknown architecture '{header.Architecture}'");
            }
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException or ArgumentException)
        {
            throw new DataFormatException(path, "header", e.Message, e);
        }

        var dev = TorchDevices.Resolve(device);
        var network = Build(header);
        try
        {
            network.load(reader);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
        {
            network.Dispose();
            throw new DataFormatException(path, "weights", $"the weights do not fit a {header.Architecture} of this shape: {e.Message}", e);
        }

        var model = new SegmentationModel(header, network, dev).MoveTo(dev);
        model.Network.eval();
        return model;
    }

    /// <summary>Reads only the header of a model file.</summary>
    public static ModelHeader ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new DataFormatException(path, null, $"not a CellSeg model file (expected it to start with '{FormatName}')");
        }

        try
        {
            return JsonSerializer.Deserialize<ModelHeader>(reader.ReadBytes(reader.ReadInt32()), JsonOptions) ?? throw new JsonException("empty header");
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException)
        {
            throw new DataFormatException(path, "header", e.Message, e);
        }
    }

    /// <summary>Writes the model file atomically (a temporary file beside it, then a rename).</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? training = null)
    {
        if (training is not null)
        {
            Header = Header with { Training = training };
        }

        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            WriteTo(writer);
        });
    }

    internal void WriteTo(BinaryWriter writer)
    {
        writer.Write(Magic);
        var json = JsonSerializer.SerializeToUtf8Bytes(Header, JsonOptions);
        writer.Write(json.Length);
        writer.Write(json);
        Network.save(writer);
        writer.Flush();
    }

    /// <summary>
    /// Foreground probabilities N×Classes×H×W for a normalised batch on <see cref="Device"/>: an ensemble
    /// routes to the member of <paramref name="cellType"/>, or averages its members when the type is null or unknown.
    /// </summary>
    public Tensor Probabilities(Tensor batch, string? cellType = null)
    {
        if (Network is UNetEnsemble ensemble)
        {
            return ensemble.Predict(batch, cellType);
        }

        using var logits = Network.forward(batch);
        return sigmoid(logits);
    }

    /// <summary>Frees the weights.</summary>
    public void Dispose() => Network.Dispose();

    internal static nn.Module<Tensor, Tensor> Build(ModelHeader header) =>
        header.Architecture == UNetArchitectures.DeepUNetEnsemble
            ? new UNetEnsemble(header.Options, header.CellTypes ?? throw new ArgumentException("an ensemble header needs cellTypes"))
            : new UNet(header.Options);

    private static bool SameShape(UNetOptions a, UNetOptions b) =>
        a.Depth == b.Depth && a.BaseChannels == b.BaseChannels && a.Bilinear == b.Bilinear && a.InChannels == b.InChannels
        && a.Classes == b.Classes && a.ExtraBottomLevels.SequenceEqual(b.ExtraBottomLevels);

    private SegmentationModel MoveTo(Device device)
    {
        if (device.type != DeviceType.CPU)
        {
            Network.to(device);
        }

        return this;
    }
}
