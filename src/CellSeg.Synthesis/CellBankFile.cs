using System.IO.Compression;
using System.Text;
using CellSeg.Data;
using CellSeg.Data.IO;

namespace CellSeg.Synthesis;

/// <summary>
/// Saves a <see cref="CellBank"/> to one compressed binary file and loads it back, so a bank cut from a
/// large annotation file once can be reused by every density branch. Layout (little-endian, zlib):
/// magic <c>CSFBANK</c>, version, then per cell type its cells (size, area, source ids, pixels, mask bits; since
/// version 2 the halo margin and, when not 0, the halo level, pixels and weights),
/// backgrounds, real cells per image, exclusions and original image.
/// </summary>
public static class CellBankFile
{
    private static readonly byte[] Magic = "CSFBANK"u8.ToArray();
    private const int Version = 2;

    /// <summary>Writes the bank atomically.</summary>
    public static Task SaveAsync(CellBank bank, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bank);
        return AtomicFile.WriteAsync(path, (stream, ct) =>
        {
            stream.Write(Magic);
            stream.WriteByte(Version);
            using var zlib = new ZLibStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            using var w = new BinaryWriter(zlib, Encoding.UTF8, leaveOpen: true);
            var types = bank.AllTypes;
            w.Write(types.Count);
            foreach (var type in types)
            {
                ct.ThrowIfCancellationRequested();
                w.Write(type);
                var cells = bank.CellsOf(type);
                w.Write(cells.Count);
                foreach (var c in cells)
                {
                    w.Write(c.Width);
                    w.Write(c.Height);
                    w.Write(c.Area);
                    w.Write(c.SourceImageId);
                    w.Write(c.SourceAnnotationId);
                    w.Write(c.Pixels);
                    w.Write(PackBits(c.Mask));
                    w.Write((byte)(c.Halo?.Margin ?? 0));
                    if (c.Halo is { } halo)
                    {
                        w.Write(halo.Level);
                        w.Write(halo.Pixels);
                        w.Write(halo.Weight);
                    }
                }

                var backgrounds = bank.BackgroundsOf(type);
                w.Write(backgrounds.Count);
                foreach (var b in backgrounds)
                {
                    WriteImage(w, b);
                }

                var perImage = bank.CellsPerImageOf(type);
                w.Write(perImage.Count);
                foreach (var n in perImage)
                {
                    w.Write(n);
                }

                var excluded = bank.ExclusionsOf(type);
                w.Write(excluded.Border);
                w.Write(excluded.Small);
                w.Write(excluded.Crowd);
                var original = bank.OriginalOf(type);
                w.Write(original is not null);
                if (original is not null)
                {
                    WriteImage(w, original);
                }
            }

            return Task.CompletedTask;
        }, cancellationToken);
    }

    /// <summary>Reads a bank written by <see cref="SaveAsync"/>.</summary>
    /// <exception cref="DataFormatException">The file is not a cell bank of this version, or is truncated or damaged.</exception>
    public static async Task<CellBank> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (bytes.Length < Magic.Length + 1 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new DataFormatException(path, null, "not a CellSegFlows cell bank file");
        }

        var version = bytes[Magic.Length];
        if (version is < 1 or > Version)
        {
            throw new DataFormatException(path, null, $"cell bank version {version}; this build reads versions 1 to {Version}");
        }

        try
        {
            using var zlib = new ZLibStream(new MemoryStream(bytes, Magic.Length + 1, bytes.Length - Magic.Length - 1), CompressionMode.Decompress);
            using var r = new BinaryReader(zlib, Encoding.UTF8);
            var cells = new Dictionary<string, IReadOnlyList<BankCell>>(StringComparer.Ordinal);
            var backgrounds = new Dictionary<string, IReadOnlyList<SyntheticBackground>>(StringComparer.Ordinal);
            var perImage = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
            var exclusions = new Dictionary<string, BankExclusions>(StringComparer.Ordinal);
            var originals = new Dictionary<string, SyntheticBackground>(StringComparer.Ordinal);
            var typeCount = Count(r, path);
            for (var t = 0; t < typeCount; t++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var type = r.ReadString();
                var list = new List<BankCell>();
                for (var i = Count(r, path); i > 0; i--)
                {
                    int width = Count(r, path), height = Count(r, path), area = Count(r, path);
                    long imageId = r.ReadInt64(), annotationId = r.ReadInt64();
                    var pixels = ReadExactly(r, checked(width * height), path);
                    var mask = UnpackBits(ReadExactly(r, (width * height + 7) / 8, path), width * height);
                    CellHalo? halo = null;
                    if (version >= 2 && r.ReadByte() is var margin and > 0)
                    {
                        var level = r.ReadByte();
                        var grown = checked((width + 2 * margin) * (height + 2 * margin));
                        halo = new CellHalo(margin, level, ReadExactly(r, grown, path), ReadExactly(r, grown, path));
                    }

                    list.Add(new BankCell(type, width, height, pixels, mask, area, imageId, annotationId) { Halo = halo });
                }

                cells[type] = list;
                var bgs = new List<SyntheticBackground>();
                for (var i = Count(r, path); i > 0; i--)
                {
                    bgs.Add(ReadImage(r, type, path));
                }

                backgrounds[type] = bgs;
                var counts = new List<int>();
                for (var i = Count(r, path); i > 0; i--)
                {
                    counts.Add(Count(r, path));
                }

                perImage[type] = counts;
                exclusions[type] = new BankExclusions(Count(r, path), Count(r, path), Count(r, path));
                if (r.ReadBoolean())
                {
                    originals[type] = ReadImage(r, type, path);
                }
            }

            return new CellBank(cells, backgrounds, perImage, exclusions, originals);
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or OverflowException)
        {
            throw new DataFormatException(path, null, "cell bank file is truncated or damaged", ex);
        }
    }

    private static void WriteImage(BinaryWriter w, SyntheticBackground b)
    {
        w.Write(b.SourceImageId);
        w.Write(b.Width);
        w.Write(b.Height);
        w.Write(b.FreeFraction);
        w.Write(b.Pixels);
    }

    private static SyntheticBackground ReadImage(BinaryReader r, string type, string path)
    {
        var id = r.ReadInt64();
        int width = Count(r, path), height = Count(r, path);
        var free = r.ReadDouble();
        return new SyntheticBackground(type, id, width, height, ReadExactly(r, checked(width * height), path), free);
    }

    private static int Count(BinaryReader r, string path)
    {
        var n = r.ReadInt32();
        return n >= 0 ? n : throw new DataFormatException(path, null, $"cell bank file holds a negative count ({n}); it is damaged");
    }

    private static byte[] ReadExactly(BinaryReader r, int length, string path)
    {
        var bytes = r.ReadBytes(length);
        return bytes.Length == length ? bytes : throw new DataFormatException(path, null, "cell bank file is truncated");
    }

    private static byte[] PackBits(byte[] mask)
    {
        var bits = new byte[(mask.Length + 7) / 8];
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i] != 0)
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return bits;
    }

    private static byte[] UnpackBits(byte[] bits, int length)
    {
        var mask = new byte[length];
        for (var i = 0; i < length; i++)
        {
            mask[i] = (byte)((bits[i >> 3] >> (i & 7)) & 1);
        }

        return mask;
    }
}
