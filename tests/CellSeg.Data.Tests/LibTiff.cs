using System.Buffers.Binary;
using System.ComponentModel;
using System.Diagnostics;
using CellSeg.Data.Imaging;

namespace CellSeg.Data.Tests;

/// <summary>
/// An independent TIFF decoder for cross-checks: libtiff's <c>tiffcp -c none</c> (Debian package
/// libtiff-tools) rewrites a file as uncompressed strips, whose bytes are then read straight from the file.
/// </summary>
public static class LibTiff
{
    public static GrayImage Decode(string tiff)
    {
        var plain = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"libtiff-{Guid.NewGuid():N}.tif");
        try
        {
            RunTiffcp(tiff, plain);
            return ReadUncompressed(File.ReadAllBytes(plain));
        }
        finally
        {
            File.Delete(plain);
        }
    }

    private static void RunTiffcp(string input, string output)
    {
        var start = new ProcessStartInfo("tiffcp") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("none");
        start.ArgumentList.Add(input);
        start.ArgumentList.Add(output);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("tiffcp is not installed; these tests need the Debian package libtiff-tools", e);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"tiffcp failed on {input} ({process.ExitCode}): {stderr}");
            }
        }
    }

    private static GrayImage ReadUncompressed(byte[] file)
    {
        var little = file[0] == (byte)'I';
        uint U32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
        ushort U16(int at) => little ? BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at)) : BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(at));

        var ifd = (int)U32(4);
        var tags = new Dictionary<ushort, uint[]>();
        for (var i = 0; i < U16(ifd); i++)
        {
            var e = ifd + 2 + 12 * i;
            var type = U16(e + 2);
            var count = (int)U32(e + 4);
            var size = type == 3 ? 2 : 4;
            var at = count * size <= 4 ? e + 8 : (int)U32(e + 8);
            var values = new uint[count];
            for (var k = 0; k < count; k++)
            {
                values[k] = type == 3 ? U16(at + k * 2) : U32(at + k * 4);
            }

            tags[U16(e)] = values;
        }

        uint Tag(ushort tag, uint fallback) => tags.TryGetValue(tag, out var v) ? v[0] : fallback;
        Assert.Equal(1u, Tag(259, 1));   // uncompressed
        Assert.Equal(1u, Tag(317, 1));   // no predictor left
        Assert.Equal(1u, Tag(277, 1));   // one sample per pixel
        Assert.Equal(1u, Tag(262, 1));   // BlackIsZero
        int width = (int)Tag(256, 0), height = (int)Tag(257, 0), bits = (int)Tag(258, 1);
        var bytesPerSample = bits / 8;
        var data = new List<byte>(width * height * bytesPerSample);
        var offsets = tags[273];
        var counts = tags[279];
        for (var s = 0; s < offsets.Length; s++)
        {
            data.AddRange(file.AsSpan((int)offsets[s], (int)counts[s]));
        }

        var raw = data.ToArray().AsSpan(0, width * height * bytesPerSample);
        if (bits == 8)
        {
            return new GrayImage(width, height, raw.ToArray());
        }

        Assert.Equal(16, bits);
        var pixels = new ushort[width * height];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = little ? BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) : BinaryPrimitives.ReadUInt16BigEndian(raw[(2 * i)..]);
        }

        return new GrayImage(width, height, pixels);
    }
}
