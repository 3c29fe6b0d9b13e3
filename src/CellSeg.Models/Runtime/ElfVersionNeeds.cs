using System.Buffers.Binary;
using System.Text;

namespace CellSeg.Models.Runtime;

/// <summary>One version a shared library needs from another (an entry of its .gnu.version_r).</summary>
/// <param name="Library">The providing library, e.g. libstdc++.so.6.</param>
/// <param name="Version">The version name, e.g. GLIBCXX_3.4.32.</param>
/// <param name="Weak">True when the loader may start the library without that version (VER_FLG_WEAK).</param>
public sealed record ElfVersionNeed(string Library, string Version, bool Weak);

/// <summary>
/// Reads the version needs of a little-endian ELF64 library: how <c>doctor</c> and the tests see whether the
/// build marked libLibTorchSharp.so's GLIBCXX_3.4.32 need weak (build/torchsharp/TorchSharp.targets).
/// </summary>
public static class ElfVersionNeeds
{
    /// <summary>Every version need of the file, in file order.</summary>
    /// <exception cref="InvalidDataException">Not a little-endian ELF64 file, or a table out of bounds.</exception>
    public static IReadOnlyList<ElfVersionNeed> Read(string path)
    {
        ReadOnlySpan<byte> elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || !elf[..4].SequenceEqual("\u007FELF"u8) || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException($"{path}: not a little-endian ELF64 file");
        }

        var sectionTable = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        var needs = new List<ElfVersionNeed>();
        try
        {
            for (var s = 0; s < sectionCount; s++)
            {
                var header = elf.Slice(sectionTable + s * entrySize, entrySize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != 0x6FFFFFFE)
                {
                    continue;
                }

                var strings = elf[(int)BinaryPrimitives.ReadUInt64LittleEndian(elf.Slice(sectionTable + (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]) * entrySize + 0x18, 8))..];
                var at = (int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..]);
                for (var n = BinaryPrimitives.ReadUInt32LittleEndian(header[0x2C..]); n > 0; n--)
                {
                    var need = elf[at..];
                    var library = Name(strings, BinaryPrimitives.ReadUInt32LittleEndian(need[4..]));
                    var aux = at + (int)BinaryPrimitives.ReadUInt32LittleEndian(need[8..]);
                    for (var a = BinaryPrimitives.ReadUInt16LittleEndian(need[2..]); a > 0; a--)
                    {
                        var entry = elf[aux..];
                        needs.Add(new ElfVersionNeed(library, Name(strings, BinaryPrimitives.ReadUInt32LittleEndian(entry[8..])), (BinaryPrimitives.ReadUInt16LittleEndian(entry[4..]) & 0x2) != 0));
                        aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
                    }

                    at += (int)BinaryPrimitives.ReadUInt32LittleEndian(need[12..]);
                }
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"{path}: a version table points outside the file");
        }

        return needs;
    }

    private static string Name(ReadOnlySpan<byte> strings, uint offset)
    {
        var rest = strings[(int)offset..];
        var end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }
}
