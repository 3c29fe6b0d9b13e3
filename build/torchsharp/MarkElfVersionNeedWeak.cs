// Compiled by MSBuild's RoslynCodeTaskFactory (see TorchSharp.targets); not part of any project.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Sets VER_FLG_WEAK on one version need (a Vernaux entry of .gnu.version_r) of little-endian ELF64 shared
/// libraries, in place. The dynamic loader then accepts a providing library that lacks that version
/// (it only warns under LD_DEBUG) instead of refusing to load. Safe only where no relocation needs a
/// symbol of that version, which is the case for GLIBCXX_3.4.32 in libLibTorchSharp.so.
/// </summary>
public class MarkElfVersionNeedWeak : Task
{
    private const uint ShtGnuVerneed = 0x6FFFFFFE;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The libraries to patch (build or publish copies, never the package cache).</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The version name, e.g. GLIBCXX_3.4.32.</summary>
    [Required]
    public string Version { get; set; } = "";

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            var path = item.GetMetadata("FullPath");
            try
            {
                var data = File.ReadAllBytes(path);
                var offset = FindVernaux(data, Version);
                if (offset < 0)
                {
                    Log.LogMessage(MessageImportance.Low, $"{path}: no version need {Version}; nothing to patch");
                    continue;
                }

                var flags = BitConverter.ToUInt16(data, offset + 4);
                if ((flags & VerFlgWeak) != 0)
                {
                    Log.LogMessage(MessageImportance.Low, $"{path}: version need {Version} already weak");
                    continue;
                }

                flags |= VerFlgWeak;
                data[offset + 4] = (byte)flags;
                data[offset + 5] = (byte)(flags >> 8);
                var stamp = File.GetLastWriteTimeUtc(path);
                var temp = path + ".weak-" + Guid.NewGuid().ToString("N") + ".tmp";
                File.WriteAllBytes(temp, data);
                File.SetLastWriteTimeUtc(temp, stamp);
                File.Replace(temp, path, null);   // a rename: readers see the old file or the new one
                Log.LogMessage(MessageImportance.Normal, $"{path}: version need {Version} marked weak (loads on a libstdc++ without it)");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                Log.LogError($"{path}: cannot mark version need {Version} weak: {e.Message}");
            }
        }

        return !Log.HasLoggedErrors;
    }

    /// <summary>The file offset of the Vernaux entry named <paramref name="version"/>, or -1 if there is none.</summary>
    private static int FindVernaux(byte[] data, string version)
    {
        if (data.Length < 64 || data[0] != 0x7F || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (data[4] != 2 || data[5] != 1)
        {
            throw new InvalidDataException("not a little-endian ELF64 file");
        }

        var shoff = checked((int)BitConverter.ToUInt64(data, 0x28));
        int shentsize = BitConverter.ToUInt16(data, 0x3A);
        int shnum = BitConverter.ToUInt16(data, 0x3C);
        Check(data, shoff, checked(shentsize * shnum), "section headers");
        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + i * shentsize;
            if (BitConverter.ToUInt32(data, sh + 4) != ShtGnuVerneed)
            {
                continue;
            }

            var sectionOffset = checked((int)BitConverter.ToUInt64(data, sh + 0x18));
            var link = (int)BitConverter.ToUInt32(data, sh + 0x28);
            var count = (int)BitConverter.ToUInt32(data, sh + 0x2C);
            if (link >= shnum)
            {
                throw new InvalidDataException(".gnu.version_r links to a missing string table");
            }

            var strtab = checked((int)BitConverter.ToUInt64(data, shoff + link * shentsize + 0x18));
            var verneed = sectionOffset;
            for (var n = 0; n < count; n++)
            {
                Check(data, verneed, 16, "a Verneed entry");
                int auxCount = BitConverter.ToUInt16(data, verneed + 2);
                var aux = verneed + (int)BitConverter.ToUInt32(data, verneed + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    Check(data, aux, 16, "a Vernaux entry");
                    var name = strtab + (int)BitConverter.ToUInt32(data, aux + 8);
                    if (NameIs(data, name, version))
                    {
                        return aux;
                    }

                    aux += (int)BitConverter.ToUInt32(data, aux + 12);
                }

                verneed += (int)BitConverter.ToUInt32(data, verneed + 12);
            }

            return -1;
        }

        return -1;
    }

    private static bool NameIs(byte[] data, int offset, string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        Check(data, offset, bytes.Length + 1, "a version name");
        for (var i = 0; i < bytes.Length; i++)
        {
            if (data[offset + i] != bytes[i])
            {
                return false;
            }
        }

        return data[offset + bytes.Length] == 0;
    }

    private static void Check(byte[] data, int offset, int length, string what)
    {
        if (offset < 0 || length < 0 || offset > data.Length - length)
        {
            throw new InvalidDataException($"{what} lies outside the file (offset {offset}, {length} bytes, file {data.Length} bytes)");
        }
    }
}
